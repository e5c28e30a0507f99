"""Build hard_v3.jsonl: a third hand-written TUNING set for PHI redaction (issue 11).

Written after the rules existed, by a helper session that had read them, so it is a tuning
set, not an independent measurement: it aims at what the notes on the sets kept outside the
repo and on i2b2 notes found missing (lower-case names after "dr."/"w/"/"d/w", signature
lines, usernames, names that are common words, accented and non-English names, nicknames in
parentheses, month names, short dates, "the 17th", ages over 89 in words, ids with slashes,
dots and spaces, accession/bed/badge numbers, cities and facilities), beside the clinical
terms that must stay (eponyms that are also surnames, doses, scores, lab values, years, ages
under 90, drug names). Same marks and checks as make_tuning.py:

    ⟦text|TYPE⟧   a PHI span of a Safe Harbor type (end exclusive in the output)
    «text»        a clinical term that must survive redaction

Run from the repository root:

    .venv/bin/python tests/data/redaction_tuning/make_hard_v3.py
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from make_tuning import TYPES, check, counts, parse

MIN_RECORDS_PER_TYPE = 10
MIN_MESSAGES = 200
MIN_CLINICAL_TERMS = 400
OUT = Path(__file__).resolve().parent / "hard_v3.jsonl"

# (main type the message tests, marked text); ids are v3-<type>-NN
MESSAGES: list[tuple[str, str]] = []

# --- names after clinician cues, in lower case; signature lines and usernames ----------------
MESSAGES += [
    ("PERSON", "pt seen w/ dr. ⟦okafor|PERSON⟧ this am, agrees w/ «ceftriaxone 1 g IV daily» for the «CAP», «CURB-65» 2. f/u «procalcitonin» in AM"),
    ("PERSON", "d/w ⟦Kowalczyk|PERSON⟧ (ortho): «Colles fracture» stable after «closed reduction», «short arm cast», NWB R arm x 6 wk"),
    ("PERSON", "«K 3.1» → «KCl 40 mEq PO» x1, recheck at 1600, «Mg 1.6» → «magnesium sulfate 2 g IV».\n-- ⟦jmiller|PERSON⟧ RN"),
    ("PERSON", "per dr ⟦abernathy|PERSON⟧ ok to restart «apixaban 5 mg BID» on POD 2 if «Hgb» stays above 8"),
    ("PERSON", "spoke with ⟦nikhil|PERSON⟧ from IR, «paracentesis» tmrw 10am, hold «enoxaparin 40 mg» tonight"),
    ("PERSON", "cc'd ⟦ramirez|PERSON⟧ and ⟦tanaka|PERSON⟧ on the «sepsis bundle» audit, «lactate 4.2» → 1.9 after the «30 mL/kg» bolus"),
    ("PERSON", "signing out to ⟦priya|PERSON⟧, bed ⟦14|OTHER_ID⟧ on «heparin drip» per the «ACS nomogram», next «anti-Xa» at 2200"),
    ("PERSON", "Electronically signed by: ⟦Marguerite Okonjo-Bell|PERSON⟧, NP ⟦03/02/2026|DATE⟧ 14:22\n«lisinopril 10 mg daily» continued, «BMP» in 1 wk"),
    ("PERSON", "«UA» neg, ok to pull the «foley catheter»? pls advise\n~ ⟦ak|PERSON⟧"),
    ("PERSON", "d/w dr ⟦lin|PERSON⟧ (neuro): «tPA» not indicated, «NIHSS 2», outside the window, «aspirin 325 mg» load then 81"),
    ("PERSON", "hey is ⟦marcus|PERSON⟧ still on «vancomycin»? «trough 22» this am, pharmacy wants to hold a dose"),
    ("PERSON", "ask ⟦sara|PERSON⟧ if the «MRI brain w/wo contrast» got done, pt is asking and «gadolinium» allergy was cleared"),
    ("PERSON", "seen and examined with dr. ⟦feldman-ortiz|PERSON⟧, agree with plan above. «Wells score» 1.5, «D-dimer» neg, no «CTPA».\n⟦s.patel|PERSON⟧ MS3"),
    ("PERSON", "pls page ⟦obi|PERSON⟧ (gi) re the «GI bleed» in rm ⟦7|OTHER_ID⟧: «Glasgow-Blatchford score» 12, «pantoprazole 80 mg IV» bolus given"),
    ("PERSON", "thanks!!\n⟦Dana|PERSON⟧\nPGY-2 IM\nre: «TSH 11.2», starting «levothyroxine 50 mcg daily»"),
    ("PERSON", "— ⟦tkowalski|PERSON⟧ (pharmacy): «apixaban» dose ok at «2.5 mg BID», pt meets 2 of 3 criteria"),
    ("PERSON", "Dictated by: ⟦Harriet Nwosu|PERSON⟧, MD\nTranscribed by: ⟦lmb|PERSON⟧\n«Hoehn and Yahr stage 3», «carbidopa-levodopa 25/100» 1.5 tab QID"),
    ("PERSON", "entered by ⟦mroberts2|PERSON⟧ at 0312: «fall» from bed, no head strike, «neuro checks q1h» x4"),
    ("PERSON", "user ⟦k_oduya|PERSON⟧ overrode the «heparin» alert, can someone review? «platelets 88» on day 6 → «HIT» workup, «4T score» 5"),
    ("PERSON", "I agree with the resident's note.\n/s/ ⟦R. Castellanos|PERSON⟧, MD, attending"),
    ("PERSON", "f/u w/ dr ⟦mehta|PERSON⟧ in «cardiology» 2 wks, «Holter monitor» x48h placed today, «metoprolol tartrate 25 mg BID»"),
    ("PERSON", "talked to the daughter ⟦leticia|PERSON⟧ by phone, she agrees w/ «comfort care», «morphine 2 mg IV q2h prn»"),
    ("PERSON", "«INR 4.6», hold «warfarin» x2 doses, recheck thurs\n-⟦gw|PERSON⟧"),
    ("PERSON", "Case discussed with Dr. ⟦Ewa Zielińska|PERSON⟧ (ID) who recommends «cefazolin 2 g IV q8h» for the «MSSA bacteremia» x6 weeks via «PICC»"),
    ("PERSON", "pt's sister ⟦imelda|PERSON⟧ says pt hasn't taken her «insulin glargine 20 units» in 3 days, «glucose 412», «anion gap 14»"),
]

# --- names that are common words, next to the word used as a word ----------------------------
MESSAGES += [
    ("PERSON", "«Hoehn and Yahr stage 3» on «carbidopa-levodopa», his daughter ⟦Rose|PERSON⟧ asks about a «DBS» referral. he rose from the chair without help today"),
    ("PERSON", "⟦Mark|PERSON⟧, can you mark the «Braden score» for ⟦Ray Young|PERSON⟧? he's a 14 today, needs the «pressure injury» bundle"),
    ("PERSON", "⟦Bill|PERSON⟧ in rm ⟦402|OTHER_ID⟧ asked about his bill again, SW consult placed. «BNP 1420», «furosemide 40 mg IV BID»"),
    ("PERSON", "will ⟦Grant|PERSON⟧ need HD tonight? «K 6.4», «Cr 5.8» (baseline 1.2), «peaked T waves», gave «calcium gluconate 1 g IV». nephro (dr ⟦hill|PERSON⟧) aware"),
    ("PERSON", "pt ⟦joy king|PERSON⟧ c/o «RUQ pain», «Murphy's sign» +, «lipase 48», «HIDA scan» ordered. husband ⟦bobby|PERSON⟧ at bedside"),
    ("PERSON", "OR list: ⟦Black|PERSON⟧ («TURP»), ⟦Hill|PERSON⟧ («lap chole»), ⟦Young|PERSON⟧ («carpal tunnel release»), ⟦King|PERSON⟧ («TKA» L). black box warning on the «droperidol» noted"),
    ("PERSON", "Mr. ⟦Brown|PERSON⟧'s urine is brown again, «CK 18,000», «rhabdomyolysis», «LR 200 mL/h», goal UOP 200"),
    ("PERSON", "⟦Hope Nakamura|PERSON⟧ is 6 wk postpartum, «EPDS 17» — there's hope, she's engaged, start «sertraline 50 mg daily» and «perinatal psychiatry» referral"),
    ("PERSON", "⟦Will|PERSON⟧ (pt's son) will drive him to the «colonoscopy», prep is «PEG 3350» split dose"),
    ("PERSON", "Dr. ⟦Summer|PERSON⟧ said the summer «asthma» flares are from ragweed, «montelukast 10 mg» + «fluticasone 110 mcg 2 puffs BID»"),
    ("PERSON", "⟦Grace|PERSON⟧ from case mgmt: by the grace of the insurer the «SNF» auth went through, d/c tmrw"),
    ("PERSON", "Ms ⟦Page|PERSON⟧ wants a copy of page 2 of the «echo report», «LVEF 35%», «moderate MR»"),
    ("PERSON", "⟦April Hernandez|PERSON⟧ — «38 weeks», «preeclampsia with severe features», «magnesium sulfate 4 g IV» load, «labetalol 20 mg IV»"),
    ("PERSON", "the ⟦Wells|PERSON⟧ family (pt ⟦Autumn Wells|PERSON⟧) asks why we used the «Wells criteria» and not just a «CT»"),
    ("PERSON", "⟦Guy|PERSON⟧ in bay ⟦3|OTHER_ID⟧ is the guy with the «SBO», «NG tube» to LIS, «lactate 1.4», surgery aware"),
    ("PERSON", "⟦Dawn Price|PERSON⟧ called at dawn about the price of «Eliquis», switch to «warfarin» w/ «INR» checks?"),
    ("PERSON", "⟦Penny|PERSON⟧ (wife) found him down. he'd been «hypoglycemic» on «glipizide 10 mg BID», «glucose 38», «D50» given by EMS"),
    ("PERSON", "⟦Sunny|PERSON⟧ is the nickname; legal name ⟦Sun-hee Park|PERSON⟧. «TSH 0.01», «free T4 3.2», «methimazole 10 mg daily»"),
    ("PERSON", "⟦Rich|PERSON⟧ says the food here is too rich, «low sodium diet» «2 g», «fluid restriction 1.5 L»"),
    ("PERSON", "pt ⟦Marshall Law|PERSON⟧ (yes) — «COPD», «FEV1/FVC 0.58», «tiotropium», «pulmonary rehab» referral"),
]

# --- accented, non-English, hyphenated, particles; nicknames in parentheses ----------------------
MESSAGES += [
    ("PERSON", "⟦Nguyễn Văn Minh|PERSON⟧, «67M», «HCC» on «atezolizumab/bevacizumab», «AFP 812». son ⟦Tuấn|PERSON⟧ interprets"),
    ("PERSON", "⟦Søren Kjærgaard|PERSON⟧ fell off his bike, «Glasgow Coma Scale 15», «Canadian C-spine rule» negative, no imaging"),
    ("PERSON", "Mrs ⟦María José Fernández de la Cruz|PERSON⟧, «G3P2», «38+4 weeks», «GBS» positive → «penicillin G 5 million units IV»"),
    ("PERSON", "⟦O'Neill, Padraig|PERSON⟧: «COPD exacerbation», «FEV1 38%», «prednisone 40 mg x5d», «azithromycin 500 mg»"),
    ("PERSON", "Dr. ⟦van der Berg|PERSON⟧ wants a «TTE» before the «TAVR» workup; «AVA 0.8 cm2», «mean gradient 46 mmHg»"),
    ("PERSON", "⟦Xiaoming|PERSON⟧ (pt's husband) says she stopped «tacrolimus» 3 days ago because of cost. «tacrolimus level» <2, «Cr 2.1»"),
    ("PERSON", "⟦Robert Thibodeaux|PERSON⟧ (⟦Bobby|PERSON⟧) back with «DKA», «pH 7.12», «anion gap 26», «insulin drip» per protocol"),
    ("PERSON", "goes by ⟦Lizzie|PERSON⟧, legal name ⟦Elisabeth Marchand|PERSON⟧; «MMSE 21/30», «donepezil 5 mg qHS»"),
    ("PERSON", "⟦Zoë Beaulieu-Côté|PERSON⟧, «19 yo», «anorexia nervosa», «BMI 15.8», «phos 2.1» → «refeeding syndrome» risk, «thiamine 100 mg»"),
    ("PERSON", "⟦Jürgen Weiß|PERSON⟧, transferred from Germany after «ECMO», «tracheostomy» in place, «PEG tube» feeds at 55 mL/h"),
    ("PERSON", "⟦Lakshmi Venkataraman|PERSON⟧ (⟦Lucky|PERSON⟧ to the nurses) — «SLE nephritis class IV», «mycophenolate 1 g BID», «hydroxychloroquine 200 mg BID»"),
    ("PERSON", "⟦Kim Min-jun|PERSON⟧ and his mother ⟦Lee Soo-yeon|PERSON⟧ both need «hepatitis B» screening, mom is «HBsAg» positive"),
    ("PERSON", "⟦Abdi Warsame Farah|PERSON⟧, «latent TB», «IGRA» positive, «CXR» clear → «rifampin 600 mg daily x4 months»"),
    ("PERSON", "⟦Ngozi Eze-Okonkwo|PERSON⟧ is the «sickle cell disease» pt, «HbSS», «vaso-occlusive crisis», «PCA hydromorphone»"),
    ("PERSON", "⟦François Lefèvre|PERSON⟧ on the «Whipple procedure» list for Friday, «CA 19-9 410», «CT pancreas protocol» reviewed"),
    ("PERSON", "⟦Małgorzata Wiśniewska|PERSON⟧ (⟦Gosia|PERSON⟧) — «Graves' disease», «TRAb» high, «RAI» vs «thyroidectomy» discussed"),
    ("PERSON", "⟦Şükrü Yılmaz|PERSON⟧, «NSTEMI», «troponin I 2.3», «ticagrelor 180 mg» load, «cath lab» in AM"),  # noqa: RUF001 (a Turkish name)
    ("PERSON", "⟦Aoife Ní Dhomhnaill|PERSON⟧ — «cystic fibrosis», «elexacaftor/tezacaftor/ivacaftor», «sweat chloride 42»"),
    ("PERSON", "⟦José Luis Ibáñez|PERSON⟧, spanish only, interpreter ⟦Marisol|PERSON⟧ present. «hemoglobin A1c 10.2%», start «insulin glargine 10 units qHS»"),
    ("PERSON", "Mrs ⟦Ama Owusu-Ansah|PERSON⟧ (“⟦Auntie Ama|PERSON⟧” to the kids) — «HFpEF», «empagliflozin 10 mg daily», «spironolactone 25 mg»"),
    ("PERSON", "⟦D'Angelo, Vincenzo|PERSON⟧ — «Parkinson's disease» 12 yrs, «Hoehn and Yahr 4», «rivastigmine patch 4.6 mg»"),
    ("PERSON", "⟦Mikhail Petrov|PERSON⟧ aka ⟦Misha|PERSON⟧, «alcohol withdrawal», «CIWA 18», «phenobarbital» load per protocol"),
    ("PERSON", "pt's partner ⟦Thandiwe|PERSON⟧ brought his meds: «tenofovir/emtricitabine», «dolutegravir 50 mg», «viral load» undetectable"),
    ("PERSON", "⟦McAllister-Nkemelu, Chidinma|PERSON⟧: «PCOS», «metformin 500 mg BID», «letrozole 2.5 mg» days 3-7"),
    ("PERSON", "⟦Þórunn Sigurðardóttir|PERSON⟧, tourist, «ankle sprain», «Ottawa ankle rules» negative, «RICE», «ibuprofen 400 mg»"),
]

# --- eponyms as people and as clinical terms; names in capitals (i2b2 style) ---------------------
MESSAGES += [
    ("PERSON", "Mr. ⟦Foley|PERSON⟧ doesn't want the «Foley catheter» back in; «PVR 420 mL», «tamsulosin 0.4 mg qHS»"),
    ("PERSON", "the «Parkinson clinic» pt is ⟦Harold Parkinson|PERSON⟧ (really), «UPDRS III 32», «Hoehn and Yahr 2.5»"),
    ("PERSON", "Dr. ⟦Apgar|PERSON⟧ from NICU: «Apgar 8 and 9», «38 weeks», «birth weight 3.1 kg», no «NICU» needs"),
    ("PERSON", "⟦Colles, Maureen|PERSON⟧ — yes she has a «Colles fracture», the irony is not lost on her. «sugar-tong splint»"),
    ("PERSON", "Ms. ⟦Holter|PERSON⟧ is returning the «Holter monitor» tmrw, «PVC burden 12%», «event monitor» if symptoms"),
    ("PERSON", "Dr ⟦Glasgow|PERSON⟧ documented «GCS 13» (E3V4M6) and the «Glasgow Coma Scale» trend is improving"),
    ("PERSON", "⟦Graves, Theodore|PERSON⟧, no relation to «Graves' disease», he is here for «gout», «uric acid 9.8», «allopurinol 100 mg»"),
    ("PERSON", "ATTENDING: ⟦KATHERINE O'DONNELL|PERSON⟧, M.D.\nDIAGNOSIS: «community-acquired pneumonia», «sepsis»\nDISPOSITION: home with «amoxicillin-clavulanate 875 mg BID»"),
    ("PERSON", "PATIENT: ⟦WELLS, MARGARET A|PERSON⟧\n«Wells score» 4, «CTPA» positive for segmental «PE», start «enoxaparin 1 mg/kg SC q12h»"),
    ("PERSON", "cc: ⟦Rhoda Finkelstein|PERSON⟧, MD; ⟦Terrence Obi|PERSON⟧, MD\n«Finkelstein test» positive R, «de Quervain tenosynovitis», «thumb spica splint»"),
    ("PERSON", "⟦Babinski|PERSON⟧, the new intern, says the «Babinski sign» is upgoing on the L, «MRI C-spine» ordered"),
    ("PERSON", "Mrs. ⟦Cushing|PERSON⟧ of rm ⟦12|OTHER_ID⟧: «dexamethasone suppression test» normal, so no «Cushing syndrome»"),
    ("PERSON", "Dr. ⟦Hunter|PERSON⟧ confirmed «Hunter syndrome» in the nephew, enzyme «iduronate-2-sulfatase» low"),
    ("PERSON", "«Homans sign» is unreliable; ask ⟦homan|PERSON⟧ (the fellow) for the «duplex ultrasound» result"),
    ("PERSON", "KNOWN ALLERGIES: «penicillin» (rash)\nPCP: ⟦FRANCIS X. DELANEY|PERSON⟧, MD\n«Charcot foot» R, «total contact cast»"),
]

# --- geographic: cities, towns, counties, neighbourhoods, facilities, addresses, zip codes -------
MESSAGES += [
    ("LOCATION", "pt drove down from ⟦Duluth|LOCATION⟧ in the storm, «frostbite» of 3 toes, «iloprost» considered, «tetanus» booster given"),
    ("LOCATION", "lives in east ⟦Oakland|LOCATION⟧ w/ her aunt, no car, so «dialysis» MWF transport is the barrier. «Kt/V 1.2»"),
    ("LOCATION", "EMS from ⟦Cuyahoga County|LOCATION⟧, LKW 0740, «NIHSS 9», «tenecteplase» given at 0832, «thrombectomy» candidate"),
    ("LOCATION", "he's from ⟦Glasgow|LOCATION⟧, the one in Montana. «GCS 15», «CT head» negative, d/c w/ «concussion» precautions"),
    ("LOCATION", "family drove in from ⟦Tenino|LOCATION⟧ this morning, pt is «DNR/DNI», «comfort measures only»"),
    ("LOCATION", "transfer from ⟦Harborview|LOCATION⟧ for «ECMO» eval, «PaO2/FiO2 68», «prone positioning» x16h already"),
    ("LOCATION", "d/c back to ⟦Maple Grove Assisted Living|LOCATION⟧ w/ «home PT», «amlodipine 5 mg daily», «fall precautions»"),
    ("LOCATION", "came in from ⟦St. Brigid's Nursing Home|LOCATION⟧ w/ «stage 4 pressure injury» sacrum, «wound vac» «-125 mmHg»"),
    ("LOCATION", "went hiking near ⟦Old Saybrook|LOCATION⟧ 2 wks ago, now «erythema migrans», «Lyme disease», «doxycycline 100 mg BID x 14 days»"),
    ("LOCATION", "she summers in ⟦Bar Harbor|LOCATION⟧ and winters in ⟦Sarasota|LOCATION⟧, so «INR» checks need a lab in both"),
    ("LOCATION", "travel hx: ⟦Guadalajara|LOCATION⟧ last month, then ⟦Oaxaca|LOCATION⟧; fever, «dengue NS1» positive, «platelets 42»"),
    ("LOCATION", "grew up in ⟦Kraków|LOCATION⟧, moved here «in 1998», «latent TB» treated then, «IGRA» positive is expected"),
    ("LOCATION", "cousin flew in from ⟦Hà Nội|LOCATION⟧ with a cough x3 wks, «sputum AFB» x3 ordered, «airborne isolation»"),
    ("LOCATION", "from ⟦Hope|LOCATION⟧, Arkansas, sent by her PCP for «hemoptysis», «CTA chest» shows a 3 cm mass"),
    ("LOCATION", "pt works at the poultry plant in ⟦Gainesville|LOCATION⟧, «psittacosis» on the ddx, «doxycycline» started"),
    ("LOCATION", "sent over from ⟦Mercy West Urgent Care|LOCATION⟧ with «troponin 0.9», «ECG» shows «ST depression» V4-V6"),
    ("LOCATION", "outside films from ⟦Kaiser Fremont|LOCATION⟧ show a «Salter-Harris II» distal radius fracture, «closed reduction» done there"),
    ("LOCATION", "⟦Marin|LOCATION⟧ public health called re: «measles» exposure in the waiting room, «MMR» status needed for all staff"),
    ("LOCATION", "she was camping outside ⟦Moab|LOCATION⟧, «Rocky Mountain spotted fever» on the ddx, «West Nile virus» IgM sent too"),
    ("LOCATION", "lives out past ⟦Ely|LOCATION⟧, nearest pharmacy is 40 miles, so 90-day supply of «metformin 1000 mg BID»"),
    ("LOCATION", "Record from ⟦Boston Harbor Medical Center|LOCATION⟧: «NYHA class III», «LVEF 25%», «sacubitril/valsartan 49/51 mg BID»"),
    ("LOCATION", "pt lives in ⟦Fairfax County|LOCATION⟧, eligible for the county's «home health» program, «Braden 14»"),
    ("LOCATION", "moved from ⟦Mogadishu|LOCATION⟧ via ⟦Nairobi|LOCATION⟧, «schistosomiasis» serology positive, «praziquantel 40 mg/kg»"),
    ("LOCATION", "originally from ⟦San Juan|LOCATION⟧, now in ⟦Hartford|LOCATION⟧; «HbA1c 9.1%», «insulin aspart» sliding scale"),
    ("LOCATION", "he's down in ⟦Truth or Consequences|LOCATION⟧ for the winter, pls mail the «CPAP» supplies there"),
    ("ADDRESS", "lives at ⟦22 elm st|ADDRESS⟧ apt 2, 3rd floor walkup, «home O2 2 L», «pulse ox» 88% on exertion"),
    ("ADDRESS", "Address: ⟦1418 W. Pratt Blvd, Apt 3C, Chicago, IL 60626|ADDRESS⟧\n«home health» for «IV ertapenem 1 g daily» via «PICC»"),
    ("ADDRESS", "mail the «Holter» results to ⟦4417 N Kedzie Ave|ADDRESS⟧, pt has no portal access"),
    ("ADDRESS", "zip ⟦55812|ADDRESS⟧, so she's outside our «home infusion» area, «ceftriaxone 2 g IV daily» will be done at the infusion center"),
    ("ADDRESS", "new address ⟦Rua Augusta 215, 1100-048 Lisboa|ADDRESS⟧, moving home after the «chemo»; «FOLFOX» cycle 6 done"),
    ("ADDRESS", "UK letter: ⟦Flat 2, 19 Marchmont Road, Edinburgh EH9 1HY|ADDRESS⟧, «HbA1c 58 mmol/mol», «gliclazide 80 mg BD»"),
    ("ADDRESS", "found down at ⟦Broadway and 145th|ADDRESS⟧ by EMS, «naloxone 4 mg IN», «GCS 6» → 14"),
    ("ADDRESS", "pt's house is ⟦310 County Road 12|ADDRESS⟧, gravel road, «home hospice» nurse visits Tues/Fri"),
    ("ADDRESS", "send the «hospital bed» and «commode» to ⟦PO Box 4412, Bemidji, MN 56619|ADDRESS⟧? no, needs a street address"),
    ("ADDRESS", "new pt from the shelter at ⟦1100 Mission St|ADDRESS⟧ (⟦94103|ADDRESS⟧), «hep C» RNA +, start «sofosbuvir/velpatasvir»"),
    ("ADDRESS", "DME to ⟦8 Hillcrest Ct, Unit B|ADDRESS⟧; «wheelchair» 18 inch, «Hoyer lift»"),
    ("ADDRESS", "home: ⟦Calle de Alcalá 120, 3º izq, 28009 Madrid|ADDRESS⟧. tourist, «ankle fracture», «Weber B», «ORIF» next week"),
]

# --- dates in every shape (a year alone is not PHI) ---------------------------------------------
MESSAGES += [
    ("DATE", "«colonoscopy» done ⟦2/18|DATE⟧, 3 polyps, path pending. repeat in 3 yrs. «ASA 81 mg» restart tmrw"),
    ("DATE", "admitted ⟦18-Feb|DATE⟧, «SBO», «NG tube» to LIS, «gastrografin challenge» passed ⟦20-Feb|DATE⟧"),
    ("DATE", "f/u ⟦Feb 18th|DATE⟧ with «hepatology», «MELD 22», «lactulose 20 g TID», «rifaximin 550 mg BID»"),
    ("DATE", "she's back on ⟦the 17th|DATE⟧ for cycle 3 of «R-CHOP», «ANC 1.8» today, «pegfilgrastim» on day 2"),
    ("DATE", "Procedure date: ⟦04-Mar-2026|DATE⟧. «TAVR» 26 mm «Sapien 3», «mean gradient 8 mmHg» post"),
    ("DATE", "labs ⟦2026-03-04|DATE⟧: «Hgb 7.9», «MCV 72», «ferritin 6» → «IV iron sucrose 200 mg» x5"),
    ("DATE", "came in ⟦Tuesday the 3rd|DATE⟧? no, ⟦Monday the 2nd|DATE⟧. «CAP», «ceftriaxone» day 3, afebrile 24h"),
    ("DATE", "last «A1c» was last ⟦Mar|DATE⟧, 7.4%, overdue. «metformin ER 1000 mg daily», «empagliflozin 10 mg»"),
    ("DATE", "DOB: ⟦7/4/38|DATE⟧, «CHF», «LVEF 30%», «carvedilol 6.25 mg BID», «furosemide 40 mg daily»"),
    ("DATE", "d.o.b. ⟦1938-07-04|DATE⟧; «hip fracture» «in 2019», now «Garden IV» on the other side"),
    ("DATE", "born ⟦4th July 1938|DATE⟧ (per the daughter), so the «CHA2DS2-VASc» gets the age point"),
    ("DATE", "Admission Date: ⟦11/23/2025|DATE⟧ Discharge Date: ⟦11/29/2025|DATE⟧\nDISCHARGE DIAGNOSIS: «acute on chronic systolic heart failure»"),
    ("DATE", "seen in clinic ⟦12/2025|DATE⟧, then lost to f/u till now. «BP 182/104», «amlodipine 10 mg», «chlorthalidone 25 mg»"),
    ("DATE", "ER visit ⟦Dec 2025|DATE⟧ for «renal colic», «CT KUB» 6 mm stone, passed it at home"),
    ("DATE", "out of town ⟦Jan 5-7|DATE⟧, can we move her «infliximab 5 mg/kg» infusion to ⟦Jan 9|DATE⟧?"),
    ("DATE", "«INR» check ⟦Monday 3/2|DATE⟧ then ⟦Thurs 3/5|DATE⟧, goal «INR 2-3», «warfarin 5 mg» except 2.5 on Sun"),
    ("DATE", "EGD scheduled ⟦2nd of March|DATE⟧, hold «clopidogrel 75 mg» 5 days before, continue «aspirin 81 mg»"),
    ("DATE", "«LMP» mid-⟦Feb|DATE⟧, «hCG» positive, «transvaginal US» shows «IUP» 6+1 weeks"),
    ("DATE", "EU letter dated ⟦18.02.2026|DATE⟧: «Hb 9,8 g/dl», «ferritin» low, «ferric carboxymaltose 1000 mg»"),
    ("DATE", "culture drawn ⟦Feb-18|DATE⟧ grew «MRSA», «vancomycin» «AUC 400-600»"),
    ("DATE", "surgery ⟦2/18/26|DATE⟧: «laparoscopic appendectomy», POD 1 tolerating diet, «ketorolac 15 mg IV q6h»"),
    ("DATE", "pls give her «RhoGAM 300 mcg IM» by ⟦the 21st|DATE⟧ (delivered ⟦3/18|DATE⟧), «Rh negative», baby Rh positive"),
    ("DATE", "back from vacation on ⟦the 3rd|DATE⟧, ⟦Sat 2/21|DATE⟧ was the last «hemodialysis» session, «K 6.1» today"),
    ("DATE", "⟦Mar 3|DATE⟧ → ⟦Mar 10|DATE⟧ «ceftriaxone» course done; «TTE» on ⟦March 12, 2026|DATE⟧ showed no «vegetation»"),
    ("DATE", "«PPD» placed Thurs, read on ⟦Sat the 14th|DATE⟧, 12 mm induration, «IGRA» to confirm"),
    ("DATE", "f/u appt ⟦3/9|DATE⟧ @ 0830 w/ ortho for the «Colles fracture», «short arm cast» check"),
    ("DATE", "her last «mammogram» was ⟦Oct. 4|DATE⟧, «BI-RADS 2», next one due in 1 year"),
    ("DATE", "DOS ⟦030426|DATE⟧ on the requisition, «CBC with diff», «CMP», «lipid panel», fasting"),
    ("DATE", "Date of injury: ⟦Jan. 28th, 2026|DATE⟧. «scaphoid fracture», «thumb spica cast» x6 wks, repeat «XR» in 2 wks"),
]

# --- ages over 89, digits and words (ages under 90 are clinical terms) -------------------------
MESSAGES += [
    ("AGE", "⟦94|AGE⟧ yo M w/ «aspiration pneumonia», «ampicillin-sulbactam 3 g IV q6h», «SLP» eval, son is «67 yo» and HCPOA"),
    ("AGE", "⟦ninety-one|AGE⟧ year old woman, «hip fracture», «fascia iliaca block», «acetaminophen 1 g q8h»"),
    ("AGE", "⟦92|AGE⟧F «NSTEMI», family wants «medical management» only, «heparin drip», no cath"),
    ("AGE", "aged ⟦ninety|AGE⟧, lives alone, independent in «ADLs», «Clinical Frailty Scale 4»"),
    ("AGE", "a ⟦103|AGE⟧-year-old with «urosepsis», «lactate 3.1», «piperacillin-tazobactam 3.375 g IV q8h»"),
    ("AGE", "he is ⟦one hundred and two|AGE⟧ and still gardens, «BP 128/70» on «amlodipine 2.5 mg»"),
    ("AGE", "Age ⟦97|AGE⟧, «CKD stage 4», «eGFR 22», no «dialysis» per pt wishes, «sodium bicarbonate 650 mg BID»"),
    ("AGE", "⟦96|AGE⟧ y/o, «MMSE 18/30», «quetiapine 12.5 mg qHS» for sundowning, «delirium» precautions"),
    ("AGE", "pt ⟦Ida Strand|PERSON⟧ (⟦91|AGE⟧), «atrial fibrillation», «apixaban 2.5 mg BID» (age and weight criteria)"),
    ("AGE", "she'll be ⟦ninety-eight|AGE⟧ next month; «TSH 6.1», no need to treat at that age, recheck in 6 months"),
    ("AGE", "turned ⟦100|AGE⟧ on Sunday, «pacemaker» check normal, «Mobitz type II» hx"),
    ("AGE", "«89 yo» husband and ⟦93|AGE⟧ yo wife both admitted with «COVID-19», «dexamethasone 6 mg daily», «remdesivir»"),
    ("AGE", "⟦ninety two|AGE⟧ yr old, «TAVR» candidate? «STS score 9%», «AVA 0.6 cm2»"),
    ("AGE", "HPI: This is a ⟦99|AGE⟧-year-old gentleman with a history of «CAD», «CABG» «in 2004», «CKD stage 3a»"),
]

# --- phones and faxes ----------------------------------------------------------------------------
MESSAGES += [
    ("PHONE", "daughter's cell is ⟦612.555.0199|PHONE⟧, call her before the «family meeting» re «goals of care»"),
    ("PHONE", "cb # ⟦(651) 555 0143|PHONE⟧ — pt wants results of the «CT abdomen/pelvis»"),
    ("PHONE", "pls call wife at ⟦6125550188|PHONE⟧, pt is going to «IR» for a «PEG tube»"),
    ("PHONE", "reach son at ⟦555-0172|PHONE⟧ (home), «hospice» eval tmrw"),
    ("PHONE", "on-call ortho pager ⟦4-5521|PHONE⟧, re the «compartment syndrome» check, «compartment pressure 38»"),
    ("PHONE", "pt's mobile ⟦+44 7700 900123|PHONE⟧ (UK), «INR 2.4» on «warfarin 3 mg»"),
    ("PHONE", "call the lab at ext ⟦4471|PHONE⟧ about the hemolyzed «potassium», redraw «BMP»"),
    ("PHONE", "contact: ⟦+1-612-555-0134|PHONE⟧ (sister, ⟦Renata|PERSON⟧), she is the «surrogate decision maker»"),
    ("PHONE", "home ⟦(218) 555-0161|PHONE⟧ / work ⟦218-555-0102 x331|PHONE⟧ — pt prefers work for «pap smear» results"),
    ("PHONE", "pt's number per voicemail: ⟦six one two, five five five, zero one nine nine|PHONE⟧. «lisinopril 20 mg» refill"),
    ("PHONE", "if «SpO2» < 88% call RT at ⟦555 0190|PHONE⟧, «BiPAP 12/5»"),
    ("FAX", "fax the «H&P» to ⟦(612) 555-0143|FAX⟧ attn: pre-op clinic, «RCRI 2»"),
    ("FAX", "F: ⟦612.555.0177|FAX⟧ — «prior auth» for «adalimumab 40 mg q2w» faxed again"),
    ("FAX", "fax# ⟦6125550166|FAX⟧ for the «sleep study» referral, «STOP-BANG 6»"),
    ("FAX", "pls fax to ⟦555-0145|FAX⟧, the «home health» agency, «wound care» orders"),
    ("FAX", "Fax: ⟦+1 (320) 555-0119|FAX⟧ | Phone: ⟦(320) 555-0118|PHONE⟧ — «cardiology» referral, «Holter monitor» result attached"),
    ("FAX", "fax results to ⟦1-800-555-0155|FAX⟧ (insurer), «MRI lumbar spine» for «radiculopathy»"),
    ("FAX", "faxed «DNR» form to the SNF at ⟦763 555 0140|FAX⟧, confirmed received"),
    ("FAX", "send «med rec» by fax → ⟦952.555.0124|FAX⟧, «apixaban 5 mg BID», «metoprolol succinate 50 mg»"),
    ("FAX", "UK GP fax ⟦+44 20 7946 0958|FAX⟧, «discharge letter» re «NSTEMI», «ticagrelor 90 mg BD»"),
    ("FAX", "fx ⟦(507) 555-0111|FAX⟧ — «pathology report» for the «Mohs surgery» pt"),
]

# --- e-mails, URLs, social handles, IP addresses ------------------------------------------------
MESSAGES += [
    ("EMAIL", "pt emailed from ⟦jmiller1954@gmail.com|EMAIL⟧ asking about «statin» side effects, «CK 210»"),
    ("EMAIL", "send the «discharge summary» to ⟦anna.nguyen+portal@outlook.com|EMAIL⟧ (pt request, consent on file)"),
    ("EMAIL", "reply to ⟦DR.CHEN@NORTHSHORE-CLINIC.ORG|EMAIL⟧ re «ERCP» timing, «bilirubin 4.8»"),
    ("EMAIL", "her email is ⟦kowalczyk at umn dot edu|EMAIL⟧ if the portal fails, «A1c 6.9%»"),
    ("EMAIL", "email ⟦mk_okafor@yahoo.co.uk|EMAIL⟧ the «spirometry» report, «FEV1/FVC 0.62»"),
    ("EMAIL", "From: ⟦r.oneill@stlukes.health|EMAIL⟧\nTo: ⟦wardclerk4@stlukes.health|EMAIL⟧\nRe: «Foley catheter» removal time"),
    ("EMAIL", "son ⟦tuan.nguyen.88@icloud.com|EMAIL⟧ wants updates on the «HCC» treatment, «TACE» scheduled"),
    ("EMAIL", "cc ⟦pharmacy-queue@fairview.org|EMAIL⟧ on «vancomycin» dosing, «trough 18»"),
    ("EMAIL", "pt wrote from ⟦bill.young[at]hotmail[dot]com|EMAIL⟧ saying he ran out of «tiotropium»"),
    ("EMAIL", "«MRI knee» results sent to ⟦soren.kjaergaard@mail.dk|EMAIL⟧ per pt request"),
    ("URL", "pt's fundraiser is ⟦gofundme.com/f/help-dana-kidney|URL⟧, wants us to confirm the «kidney transplant» listing"),
    ("URL", "mom posted the baby's «NICU» photos at ⟦https://www.facebook.com/rose.mcallister.77|URL⟧, pls remind her about privacy"),
    ("URL", "his blog ⟦www.bobbysdiabetesjourney.com|URL⟧ lists his «insulin pump» settings, basal 0.8 units/h"),
    ("URL", "instagram ⟦@dana.k.runs|URL⟧ shows she ran a marathon 3 days after the «concussion»"),
    ("URL", "portal link ⟦https://mychart.northshore.org/patient/882133/visit/4471|URL⟧ for the «telehealth» visit"),
    ("URL", "the video ⟦youtu.be/Xq7L2mPzT9w|URL⟧ shows her «tonic-clonic seizure», pls review for «EEG» correlation"),
    ("URL", "tiktok ⟦tiktok.com/@marcus_t1d|URL⟧ — teen posting his «CGM» readings, «DKA» admission last yr"),
    ("URL", "caringbridge page ⟦caringbridge.org/visit/haroldparkinson|URL⟧ has family updates, «hospice» enrolled"),
    ("URL", "dropbox link ⟦https://www.dropbox.com/s/8fk2x9/ivy_echo.mp4|URL⟧ with the outside «echocardiogram»"),
    ("URL", "twitter ⟦@jloibanez|URL⟧ posted from the ED, «laceration repair» 4 cm, «lidocaine 1%»"),
    ("IP_ADDRESS", "access log: chart opened from ⟦10.14.2.201|IP_ADDRESS⟧ at 0312, pt is a VIP, «privacy officer» notified"),
    ("IP_ADDRESS", "pump telemetry pushes to ⟦192.168.0.44|IP_ADDRESS⟧ port 8080, «insulin pump» «basal 0.9 units/h»"),
    ("IP_ADDRESS", "the PACS viewer at ⟦172.16.8.9|IP_ADDRESS⟧:8443 won't load the «CT head», pls escalate"),
    ("IP_ADDRESS", "login from ⟦fe80::1c2b:3dff:fe4a:91|IP_ADDRESS⟧ on the «telemetry» workstation flagged by security"),
    ("IP_ADDRESS", "pt portal logins from ⟦2607:f8b0:4005:80b::200e|IP_ADDRESS⟧ and ⟦73.22.190.4|IP_ADDRESS⟧, account may be shared"),
    ("IP_ADDRESS", "home monitor (IP ⟦98.114.7.23|IP_ADDRESS⟧) stopped sending «weights» 3 days ago, «CHF» pt"),
    ("IP_ADDRESS", "CGM uploader at ⟦10.0.0.17|IP_ADDRESS⟧, «time in range 64%», «Dexcom G7»"),
    ("IP_ADDRESS", "remote «ICD» monitor base station ⟦100.64.12.9|IP_ADDRESS⟧ offline, «shock» alert missed?"),
    ("IP_ADDRESS", "security: failed logins to ⟦Søren Kjærgaard|PERSON⟧'s chart from ⟦203.0.113.77|IP_ADDRESS⟧"),
    ("IP_ADDRESS", "the «ventilator» «AC/VC» 450/16 PEEP 8, its data port is ⟦10.20.30.41|IP_ADDRESS⟧, pls reconnect to the EMR"),
]

# --- SSNs, MRNs and other record numbers --------------------------------------------------------
MESSAGES += [
    ("SSN", "SSN ⟦078 05 1120|SSN⟧ on the form is wrong, pt says it's ⟦078-05-1121|SSN⟧. «Medicare» application"),
    ("SSN", "soc sec ⟦219.09.9999|SSN⟧, needed for the «disability» paperwork, «ALS», «FVC 48%»"),
    ("SSN", "ss# xxx-xx-⟦4821|SSN⟧ verified, «chemo» consent signed"),
    ("SSN", "ssn: ⟦536904427|SSN⟧ (no dashes on the old chart), «hepatitis B vaccine» series"),
    ("SSN", "social is ⟦512 44 9081|SSN⟧, pt registering for the «cardiac rehab» program"),
    ("SSN", "last 4 of SSN ⟦6617|SSN⟧ matches, «blood bank» crossmatch ok for 2 units «PRBC»"),
    ("SSN", "SS no. ⟦431-76-2209|SSN⟧ for ⟦Ivan Horvat|PERSON⟧, «kidney transplant» evaluation"),
    ("SSN", "pt gave social as ⟦401.22.7816|SSN⟧; «lithium level 1.4», hold «lithium»"),
    ("SSN", "SSN: ⟦288 - 31 - 4410|SSN⟧, typed with spaces, «PSA 0.1» after «prostatectomy»"),
    ("SSN", "tax id / ss ⟦902-71-4433|SSN⟧ on the «FMLA» form, «postpartum depression»"),
    ("MRN", "MRN ⟦00482913|MRN⟧, «HFrEF», «LVEF 20%», «ICD» placement planned"),
    ("MRN", "mrn# ⟦4821-339|MRN⟧ — duplicate chart, merge with ⟦4821-393|MRN⟧, «allergies» differ («sulfa»)"),
    ("MRN", "MR# ⟦3391/22|MRN⟧ on the outside records, «pathology» shows «DCIS», «ER positive»"),
    ("MRN", "med rec no. ⟦77-31-204|MRN⟧, «C. diff» positive, «fidaxomicin 200 mg BID»"),
    ("MRN", "⟦Nguyen, Thanh|PERSON⟧ (#⟦4471829|MRN⟧) — «CT chest» shows «ground glass opacities»"),
    ("MRN", "chart ⟦E1234567|MRN⟧ has the wrong DOB, «warfarin» clinic flagged it"),
    ("MRN", "Unit No: ⟦093-44-12|MRN⟧\nAdmission Diagnosis: «acute pancreatitis», «lipase 3400», «lactated Ringer's»"),
    ("MRN", "pt id ⟦88213.4|MRN⟧ in the old system, new MRN ⟦M00882134|MRN⟧, «NICU» graduate"),
    ("MRN", "MRN: ⟦004 821 339|MRN⟧, «sickle cell», «hydroxyurea 1000 mg daily»"),
    ("MRN", "hosp no ⟦88/2231/7|MRN⟧ on the UK letter, «NHS» ref too, «HbA1c 64 mmol/mol»"),
    ("MRN", "⟦ETHAN ROSS|PERSON⟧ ⟦4482190|MRN⟧ — «Ross procedure» «in 2019», «TTE» shows trivial «AI»"),
    ("MRN", "please link ⟦BH-00441298|MRN⟧ to the ED encounter, «STEMI», «door-to-balloon 58 min»"),
    ("MRN", "MRN ⟦B.4412.09|MRN⟧ per the outside hospital, «pleural effusion», «thoracentesis» 1.2 L"),
    ("MRN", "record # ⟦20441871|MRN⟧ pt ⟦hill, dorothy|PERSON⟧, «UTI», «nitrofurantoin 100 mg BID x5d»"),
]

# --- health plan, account, licence numbers -----------------------------------------------------
MESSAGES += [
    ("HEALTH_PLAN", "member ID ⟦XGH882194031|HEALTH_PLAN⟧, BCBS, «prior authorization» for «MRI brain»"),
    ("HEALTH_PLAN", "BCBS id ⟦ZGP 8812 9944|HEALTH_PLAN⟧ grp ⟦00441-02|HEALTH_PLAN⟧, «CPAP» supplies"),
    ("HEALTH_PLAN", "Medicare MBI ⟦1EG4-TE5-MK73|HEALTH_PLAN⟧, «annual wellness visit», «PCV20» due"),
    ("HEALTH_PLAN", "Medicaid # ⟦88219410B|HEALTH_PLAN⟧ expired, SW to help renew, «insulin glargine» coverage"),
    ("HEALTH_PLAN", "Aetna ⟦W221488712|HEALTH_PLAN⟧, pt wants «Ozempic» covered for «type 2 diabetes»"),
    ("HEALTH_PLAN", "policy no. ⟦4412-88-0071|HEALTH_PLAN⟧ (Cigna), «physical therapy» 12 visits approved"),
    ("HEALTH_PLAN", "subscriber id ⟦9928811-02|HEALTH_PLAN⟧ (dependent 02 is the pt), «tonsillectomy» auth"),
    ("HEALTH_PLAN", "UHC ⟦912883440 01|HEALTH_PLAN⟧, «Humira» denied, appeal w/ «CRP 48»"),
    ("HEALTH_PLAN", "ins: Humana ⟦H10362041|HEALTH_PLAN⟧, «home O2» qualifies, «SpO2 86%» at rest"),
    ("HEALTH_PLAN", "Tricare sponsor DBN ⟦1122 3344 55|HEALTH_PLAN⟧, «PTSD», «prazosin 2 mg qHS»"),
    ("HEALTH_PLAN", "Kaiser MRN/plan ⟦KP/00918823|HEALTH_PLAN⟧, «colonoscopy» covered as screening"),
    ("ACCOUNT", "acct ⟦00448812-7|ACCOUNT⟧ billed twice for the «echocardiogram», pls fix"),
    ("ACCOUNT", "FIN ⟦88213344|ACCOUNT⟧ for the ED visit, «laceration repair», «tetanus booster»"),
    ("ACCOUNT", "HAR ⟦4412998|ACCOUNT⟧ — «observation status», «chest pain» r/o, «troponin» x2 neg"),
    ("ACCOUNT", "account # ⟦3312-449-02|ACCOUNT⟧, pt disputes the «ambulance» charge"),
    ("ACCOUNT", "paid with visa ending ⟦4421|ACCOUNT⟧, «copay» for the «MRI»"),
    ("ACCOUNT", "billing acct ⟦B-771203|ACCOUNT⟧, guarantor is the daughter, «hospice» benefit"),
    ("ACCOUNT", "card no. ⟦4111 1111 1111 1111|ACCOUNT⟧ on the payment plan form, «PT» sessions"),
    ("ACCOUNT", "encounter acct ⟦V00071129043|ACCOUNT⟧, «colonoscopy» with «polypectomy»"),
    ("ACCOUNT", "refund to IBAN ⟦DE89 3704 0044 0532 0130 00|ACCOUNT⟧, pt moved back to Germany, «prepayment»"),
    ("ACCOUNT", "pt acct no ⟦22/44819/03|ACCOUNT⟧ from the old billing system, «dialysis» charges"),
    ("LICENSE", "DL ⟦D412-7781-9921|LICENSE⟧ scanned at registration, «seizure» → no driving 6 months"),
    ("LICENSE", "driver's license ⟦S530 7712 4490|LICENSE⟧, pt asks about driving after the «syncope»"),
    ("LICENSE", "NPI ⟦1740293855|LICENSE⟧ on the «prior auth» form, «adalimumab»"),
    ("LICENSE", "DEA ⟦BK4419283|LICENSE⟧, «oxycodone 5 mg» x10 tabs, «PDMP» checked"),
    ("LICENSE", "RN lic ⟦2019-041187|LICENSE⟧ verified for the agency nurse, «chemo» certified"),
    ("LICENSE", "state lic #⟦A77812|LICENSE⟧ (MD) on the «death certificate»"),
    ("LICENSE", "passport ⟦561234890|LICENSE⟧, foreign national, «self-pay» «appendectomy»"),
    ("LICENSE", "CDL ⟦MN-8812-4471|LICENSE⟧, trucker, «OSA», «AHI 41», needs «CPAP» compliance letter"),
    ("LICENSE", "pharmacist license ⟦RPH.0044127|LICENSE⟧ on the «naloxone» standing order"),
    ("LICENSE", "medical license no. ⟦MD 58213|LICENSE⟧ for the «DOT physical» form"),
]

# --- vehicles, devices, biometrics, photos ------------------------------------------------------
MESSAGES += [
    ("VEHICLE", "MVC, pt's car plate ⟦7KJX219|VEHICLE⟧ per the trooper, «seatbelt sign», «FAST» negative"),
    ("VEHICLE", "tag ⟦HGT-4412|VEHICLE⟧ blocking the ambulance bay, pt in rm ⟦22|OTHER_ID⟧ owns it"),
    ("VEHICLE", "MN plate ⟦881 RTK|VEHICLE⟧, pedestrian struck, «pelvic binder», «TXA 1 g»"),
    ("VEHICLE", "VIN ⟦1HGCM82633A004352|VEHICLE⟧ for the insurance claim after the «MVC», «whiplash»"),
    ("VEHICLE", "vin: ⟦2T1BURHE0JC034512|VEHICLE⟧, police need it for the report, «BAC 0.21»"),
    ("VEHICLE", "license plate ⟦ABC 1234|VEHICLE⟧ on the security video, pt left «AMA» with a «PICC» in"),
    ("VEHICLE", "motorcycle ⟦44T9R|VEHICLE⟧ crash, «open tibia fracture», «cefazolin 2 g IV», «Gustilo IIIA»"),
    ("VEHICLE", "car reg ⟦KX19 ABC|VEHICLE⟧ (UK tourist), «rib fractures» x3, «incentive spirometry»"),
    ("VEHICLE", "his truck (⟦TX 4HB-9912|VEHICLE⟧) is still in the ED lot, SW to call family, «DTs» on day 3"),
    ("VEHICLE", "wheelchair van ⟦WCV-118|VEHICLE⟧ will pick her up for «dialysis» MWF"),
    ("VEHICLE", "parked in the garage, plate ⟦CA 8ZTK204|VEHICLE⟧, «valet» lost the key, pt upset, «BP 188/96»"),
    ("DEVICE", "pacemaker SN ⟦PJN448812H|DEVICE⟧, «interrogation» normal, «battery» 8 yrs"),
    ("DEVICE", "serial # ⟦3344-AB-9912|DEVICE⟧ on the «infusion pump», alarm log pulled for the «heparin» error"),
    ("DEVICE", "insulin pump s/n ⟦OT4482199|DEVICE⟧, «basal 1.1 units/h», «DKA» from a kinked cannula"),
    ("DEVICE", "CGM transmitter id ⟦8G4K2R|DEVICE⟧, re-pair with the reader, «Dexcom G6»"),
    ("DEVICE", "LVAD ⟦HM3-11827|DEVICE⟧, «flow 4.8 L/min», «PI 3.1», «LDH 280»"),
    ("DEVICE", "ICD model D314DRG, serial ⟦PZN612237S|DEVICE⟧, «VT» treated with «ATP» x2"),
    ("DEVICE", "UDI ⟦(01)00643169007222(17)270131(21)A1B2C3|DEVICE⟧ on the «hip implant» sticker"),
    ("DEVICE", "hearing aid serial ⟦2219K4413|DEVICE⟧ lost on the unit, «presbycusis»"),
    ("DEVICE", "neurostimulator serial ⟦NHL228417N|DEVICE⟧, «DBS» for «Parkinson's disease», settings 2.5 V"),
    ("DEVICE", "«cochlear implant» sn: ⟦CI-77-40291|DEVICE⟧, MRI conditional at 1.5T only"),
    ("DEVICE", "vent #⟦V60-3341|DEVICE⟧ to biomed, it alarmed during the «SBT»"),
    ("DEVICE", "loaner «Zio patch» ID ⟦ZP2X8841A|DEVICE⟧, mail back in 14 days"),
    ("BIOMETRIC", "fingerprint template ⟦FP-228341|BIOMETRIC⟧ enrolled for the «Pyxis» override"),
    ("BIOMETRIC", "iris scan id ⟦IR_99812|BIOMETRIC⟧ used for the «methadone 80 mg» dosing check-in"),
    ("BIOMETRIC", "voiceprint ⟦VP-0048812|BIOMETRIC⟧ on file for phone «refill» verification"),
    ("BIOMETRIC", "palm-vein enrolment ⟦PV 4413 0021|BIOMETRIC⟧ at registration, pt declined photo"),
    ("BIOMETRIC", "face template hash ⟦9f3ac27be10d44c2|BIOMETRIC⟧ flagged a duplicate registration"),
    ("BIOMETRIC", "retina scan ⟦RS7781-B|BIOMETRIC⟧ for the research «OCT» study"),
    ("BIOMETRIC", "gait signature ⟦GS-1102-A|BIOMETRIC⟧ from the fall-detection camera, «Morse fall scale 65»"),
    ("BIOMETRIC", "fingerprint ⟦FPR/0092/17|BIOMETRIC⟧ matched the pt's old chart, «warfarin» allergy? no, intolerance"),
    ("BIOMETRIC", "voice sample id ⟦vs_20441|BIOMETRIC⟧ from the «speech therapy» recording, «dysarthria»"),
    ("BIOMETRIC", "DNA profile ⟦CODIS-4471-22|BIOMETRIC⟧ in the forensic report, «sexual assault» exam done"),
    ("PHOTO", "pic of the rash ⟦IMG_4412.jpg|PHOTO⟧ shows her face, «malar rash», «ANA 1:640»"),
    ("PHOTO", "uploaded ⟦pt_face_front.png|PHOTO⟧ for the «Bell's palsy» tracking, «House-Brackmann III»"),
    ("PHOTO", "⟦PXL_20260304_141512.jpg|PHOTO⟧ is the wound photo with his face in it, crop before the «wound care» note"),
    ("PHOTO", "see ⟦selfie_rash.jpeg|PHOTO⟧ in the portal msg, «urticaria» after «amoxicillin»"),
    ("PHOTO", "attached ⟦Screenshot 2026-03-04 at 10.12.44.png|PHOTO⟧ of the pt's «CGM» app with her name"),
    ("PHOTO", "headshot ⟦headshot_kowalczyk.jpg|PHOTO⟧ for the ID badge, «TB test» done"),
    ("PHOTO", "the ⟦face_burn_0304.heic|PHOTO⟧ photo is for the «burn unit» only, «TBSA 12%»"),
    ("PHOTO", "photo ⟦DSC04471.JPG|PHOTO⟧ of the «ptosis» and «miosis» → «Horner syndrome» workup"),
    ("PHOTO", "video ⟦seizure_ivy_home.mp4|PHOTO⟧ from mom, «absence seizures», «ethosuximide»"),
    ("PHOTO", "scan ⟦WhatsApp Image 2026-02-18 at 09.41.03.jpeg|PHOTO⟧ shows the pt's face and the «parotid swelling»"),
]

# --- other unique ids: accession, bed, badge, pager, study, order, specimen ----------------------
MESSAGES += [
    ("OTHER_ID", "accession ⟦S26-04412|OTHER_ID⟧, «biopsy» shows «adenocarcinoma», «MMR» proficient"),
    ("OTHER_ID", "accession # ⟦26-SP-00412|OTHER_ID⟧ add-on «HER2» «IHC»"),
    ("OTHER_ID", "bed ⟦14B|OTHER_ID⟧ needs a «sitter», «delirium», «haloperidol 0.5 mg» prn"),
    ("OTHER_ID", "rm ⟦512-2|OTHER_ID⟧ is the «contact precautions» pt, «VRE»"),
    ("OTHER_ID", "badge ⟦44812|OTHER_ID⟧ used to pull the «hydromorphone», pharmacy reviewing"),
    ("OTHER_ID", "employee id ⟦E44128|OTHER_ID⟧, needle stick, «HIV» «rapid test» on the source pt"),
    ("OTHER_ID", "study id ⟦SUBJ-0042|OTHER_ID⟧, randomized to «dapagliflozin 10 mg», visit 3"),
    ("OTHER_ID", "order #⟦88213|OTHER_ID⟧ for the «CT abdomen/pelvis with contrast» was cancelled by mistake"),
    ("OTHER_ID", "specimen ⟦A26/4412/B|OTHER_ID⟧ lost in transit, redraw «blood cultures» x2"),
    ("OTHER_ID", "armband ⟦8821-4|OTHER_ID⟧ doesn't match the chart, stop the «PRBC» transfusion"),
    ("OTHER_ID", "Rx #⟦6627781|OTHER_ID⟧ at the outpatient pharmacy, «amoxicillin 500 mg TID»"),
    ("OTHER_ID", "trauma bay ⟦2|OTHER_ID⟧, alias ⟦Zebra Kilo|OTHER_ID⟧, «GCS 7», «intubated»"),
    ("OTHER_ID", "police case no. ⟦26-1142|OTHER_ID⟧, «sexual assault» kit collected"),
    ("OTHER_ID", "«telemetry» box ⟦T-117|OTHER_ID⟧ on the pt in bay ⟦9|OTHER_ID⟧, «AFib RVR»"),
    ("OTHER_ID", "UNOS id ⟦ABCD123|OTHER_ID⟧ for the «liver transplant» listing, «MELD 31»"),
    ("OTHER_ID", "path case ⟦SP26-0412 / B2|OTHER_ID⟧, «frozen section» margins negative"),
    ("OTHER_ID", "ISBT unit ⟦W0415 26 004412 E|OTHER_ID⟧ transfused, «transfusion reaction» workup"),
    ("OTHER_ID", "requisition ⟦REQ/26/00441|OTHER_ID⟧, «genetic testing» for «BRCA1»"),
    ("OTHER_ID", "locker ⟦B-17|OTHER_ID⟧ has the pt's belongings incl his «insulin pen»"),
]

# --- i2b2-style discharge-summary fragments, sign-outs and quick chat, mixed --------------------
MESSAGES += [
    ("DATE", "Record date: ⟦2026-02-11|DATE⟧\n\nNAME: ⟦Quinlan, Rosemary|PERSON⟧\nMRN: ⟦7738120|MRN⟧\n\n«hypertension», «hyperlipidemia», «CAD» s/p «PCI» «in 2016». Meds: «atorvastatin 80 mg», «aspirin 81 mg»."),
    ("PERSON", "DISCHARGE SUMMARY\nPATIENT: ⟦GARCIA-LOPEZ, ELENA|PERSON⟧  UNIT #: ⟦442-18-90|MRN⟧\nADMITTED: ⟦01/14/2026|DATE⟧  DISCHARGED: ⟦01/19/2026|DATE⟧\nATTENDING: ⟦ZACHARY BROWN|PERSON⟧, M.D.\nPRINCIPAL DIAGNOSIS: «diverticulitis» with «abscess», s/p «IR drain»"),
    ("PERSON", "Ms. ⟦Ortega|PERSON⟧ is a «64-year-old» woman with «ESRD» on «hemodialysis» (TTS at ⟦Fresenius Elk River|LOCATION⟧) who presented with «hyperkalemia»."),
    ("PERSON", "She was seen by dr. ⟦xavier gonzalez|PERSON⟧ of cardiology, who felt the «troponin» leak was «demand ischemia»."),
    ("DATE", "HPI: on ⟦4/25|DATE⟧ she noted «dyspnea on exertion»; «echo» ⟦4/27|DATE⟧ showed «LVEF 35%». «BNP 890»."),
    ("PERSON", "_______________________\n⟦Norma Quillen|PERSON⟧, M.D.\nDD: ⟦12/18/25|DATE⟧ TD: ⟦12/20/25|DATE⟧ 10:14 A\nJob #: ⟦66523|OTHER_ID⟧\ncc: ⟦Kyle Lemon|PERSON⟧, M.D."),
    ("PERSON", "Electronically signed by ⟦Zachary Brown|PERSON⟧ MD on ⟦12/30/2025|DATE⟧ at 09:12\n«Holter monitor» for «palpitations», «metoprolol succinate 25 mg»"),
    ("OTHER_ID", "eScription document: ⟦1-4471292|OTHER_ID⟧ EMS\nBatch: ⟦44812|OTHER_ID⟧ Index No. ⟦TCNRA2/HG|OTHER_ID⟧\n«pneumonia», «levofloxacin 750 mg daily»"),
    ("PERSON", "Followed by Dr ⟦Ingrid Halvorsen|PERSON⟧ at ⟦Lakeview Clinic|LOCATION⟧; last «A1c» «7.1%». «metformin 1000 mg BID»."),
    ("DATE", "Pt was last seen ⟦Mar '25|DATE⟧; since then «weight loss» of 10 lb, «CEA 14»."),
    ("PERSON", "Attending addendum: pt seen and examined, d/w resident dr ⟦wu|PERSON⟧. Agree with «heparin drip», «cardiology consult»."),
    ("PERSON", "sign-out: rm ⟦6|OTHER_ID⟧ mrs. ⟦delacroix|PERSON⟧, «ascites», «paracentesis» 4 L today, «albumin 25%» 50 g given\n-⟦jt|PERSON⟧"),
    ("PERSON", "night float: ⟦tom|PERSON⟧ in ⟦12|OTHER_ID⟧ spiked to «38.9», «blood cultures» x2, «lactate 2.1», started «cefepime 2 g IV q8h»"),
    ("PERSON", "ok so ⟦marguerite|PERSON⟧'s «K» is 5.9 again, repeat it? also dr. ⟦nakashima|PERSON⟧ wants a «renal US»"),
    ("PERSON", "fyi ⟦bobby t|PERSON⟧ (the «DKA» kid) is back, «glucose 512», mom ⟦shanice|PERSON⟧ says he skipped his «insulin glargine»"),
    ("PERSON", "lol ⟦joy|PERSON⟧ brought donuts, no joy for the diabetics on the unit. «A1c» meeting at noon"),
    ("PERSON", "d/w ⟦young|PERSON⟧ in radiology, the «CT angiogram» is read as negative for «PE»"),
    ("PERSON", "w/ ⟦ray|PERSON⟧ from RT for the «ABG»: «pH 7.28», «pCO2 62», start «BiPAP»"),
    ("PERSON", "«Ranson criteria» 3, «BISAP 2»; discussed w/ dr ⟦king|PERSON⟧ at the bedside"),
    ("LOCATION", "pt from ⟦duluth|LOCATION⟧, lower case in the referral, «frostbite» follow-up at the wound clinic"),
    ("ADDRESS", "EMS brought her from the Walmart on ⟦Cedar Ave|ADDRESS⟧, «hypoglycemia», «glucose 41», «D10» drip"),
    ("ADDRESS", "Patient lives at ⟦14 O'Connell Street, Limerick|ADDRESS⟧ with her husband ⟦Seán|PERSON⟧; «COPD», «LAMA/LABA»"),
    ("DATE", "«chemo» cycle 4 given ⟦Tue 3/3|DATE⟧, next ⟦Tue 3/24|DATE⟧, «neutropenic fever» precautions"),
    ("MRN", "Pt ⟦Reyes, Paulo|PERSON⟧ MRN ⟦K-993-4471|MRN⟧ DOB ⟦9/9/59|DATE⟧ — «hyponatremia», «Na 118», «3% saline»"),
    ("PERSON", "Pt is a «58 yo» R-handed man referred by Dr. ⟦Olumide Bankole|PERSON⟧ for «carpal tunnel syndrome», «Tinel sign» +, «Phalen test» +"),
]

# --- clinical text dense with terms that must stay, around a little PHI --------------------------
MESSAGES += [
    ("PERSON", "⟦Ines|PERSON⟧: «Hoehn and Yahr stage 3», «UPDRS III 41», «carbidopa-levodopa 25/100 2 tabs QID», «entacapone 200 mg», «pimavanserin 34 mg» for hallucinations"),
    ("DATE", "NICU admit ⟦3/4|DATE⟧: «Apgar 3 and 7», «cord pH 7.05», «therapeutic hypothermia» started, «ampicillin 100 mg/kg» + «gentamicin 4 mg/kg»"),
    ("PERSON", "pt ⟦baxter|PERSON⟧: «Glasgow Coma Scale 9», «ICP 24», «mannitol 1 g/kg», «hypertonic saline 23.4%», «EVD» placed"),
    ("OTHER_ID", "bed ⟦3|OTHER_ID⟧: «Colles fracture» L, «Smith fracture» R (bilateral FOOSH), «hematoma block» with «lidocaine 1% 10 mL»"),
    ("AGE", "«87 y/o» with «Parkinson's disease», «orthostatic hypotension», «midodrine 5 mg TID», «droxidopa»; her husband is ⟦92|AGE⟧"),
    ("PERSON", "per ⟦lindqvist|PERSON⟧: «heparin 5000 units sq q8h», «pantoprazole 40 mg daily», «HbA1c 7.8%», «eGFR 52», «UACR 120»"),
    ("DATE", "«PSA 4.8» «in 2021» → «7.2» on ⟦1/12|DATE⟧; «MRI prostate» «PI-RADS 4», «Gleason 3+4=7» on biopsy"),
    ("PERSON", "Foley out, voiding. «Holter» showed «AFib» burden 12%. ⟦Wojciech|PERSON⟧ to start «apixaban 5 mg BID», «CHA2DS2-VASc 3»"),
    ("LOCATION", "«Rocky Mountain spotted fever» vs «ehrlichiosis», pt from ⟦Pawhuska|LOCATION⟧, «doxycycline 100 mg IV q12h», «platelets 64», «AST 210»"),
    ("PERSON", "«Wolff-Parkinson-White» on ECG, «delta wave», «PR 0.10 s», referral to EP dr ⟦shah|PERSON⟧ for «ablation»"),
    ("DATE", "«Tanner stage 4», «bone age» 14 y, growth velocity 4 cm/yr; seen ⟦Feb 2|DATE⟧, recheck ⟦Aug 2|DATE⟧"),
    ("PERSON", "«Apgar 9 and 9», «36+5 weeks», «bilirubin 14.2» at 48 h, «phototherapy» started; baby ⟦Kaito|PERSON⟧"),
    ("PERSON", "«Hashimoto thyroiditis», «TPO antibodies 480», «levothyroxine 75 mcg daily», goal «TSH 1-2»; pt ⟦Yuki Hashimoto|PERSON⟧ laughs about the name"),
    ("PERSON", "«Killip class II», «TIMI score 4», «GRACE score 142», d/w cards fellow ⟦noor|PERSON⟧, «clopidogrel 600 mg» load"),
    ("PERSON", "«Child-Pugh B», «MELD-Na 18», «Milan criteria» met, «transplant evaluation» with Dr. ⟦Ferreira|PERSON⟧? no, with ⟦Oyelaran|PERSON⟧"),
    ("LOCATION", "«Lyme carditis» «PR 320 ms», camped at ⟦Cape Cod|LOCATION⟧, «ceftriaxone 2 g IV daily», «temporary pacer» on standby"),
    ("PERSON", "«Bell's palsy» L, «prednisone 60 mg daily x7d», «eye patch» at night; ⟦Bell|PERSON⟧ (the pt, ⟦Annabel Bell|PERSON⟧) asks about «valacyclovir»"),
    ("DATE", "«Braden 12», «Morse 60», «CAM positive», «haloperidol 0.5 mg IV» once on ⟦the 9th|DATE⟧, «melatonin 3 mg» qHS"),
    ("PERSON", "«NYHA class II», «LVEF 40%», «sacubitril/valsartan 24/26 mg BID», «dapagliflozin 10 mg», «spironolactone 12.5 mg»; grandpa ⟦joe|PERSON⟧ per the grandkids"),
    ("AGE", "«mini-cog 2/5», «MoCA 17/30», «B12 210», «RPR» neg, «MRI» «small vessel disease», ⟦ninety-four|AGE⟧-year-old retired teacher"),
    ("PERSON", "«Guillain-Barre syndrome» suspected, «NIF -18», «FVC 1.1 L», «IVIG 0.4 g/kg/day x5d»; wife ⟦Marisa Brandt|PERSON⟧"),
    ("PERSON", "«Epley maneuver» R side, «Dix-Hallpike» positive, «meclizine 25 mg» prn only; pt ⟦Dorota Epstein|PERSON⟧ to repeat it at home"),
    ("PERSON", "«Ottawa knee rules» negative, «Lachman test» +, «anterior drawer» +, MRI for «ACL tear»; ortho dr ⟦o'malley|PERSON⟧"),
    ("DATE", "«hemoglobin 6.8» → 2 units «PRBC» overnight ⟦3/14|DATE⟧, «Hgb 8.4» post"),
    ("PERSON", "«Crohn's disease» on «ustekinumab 90 mg SC q8w», «fecal calprotectin 620», «CRP 38»; GI (Dr. ⟦Ngata|PERSON⟧) to scope"),
    ("PERSON", "«Addison's disease», «hydrocortisone 20 mg AM / 10 mg PM», «fludrocortisone 0.1 mg daily», sick day rules reviewed w/ ⟦amara|PERSON⟧"),
    ("PERSON", "«Doppler» shows no «DVT», «ABI 0.62» R, «cilostazol 100 mg BID»; vascular fellow ⟦b. osei|PERSON⟧"),
    ("PERSON", "«Trendelenburg» position for the «central line», «CVP 12», «norepinephrine 0.08 mcg/kg/min»; ⟦r. ibáñez|PERSON⟧ placed it"),
    ("LOCATION", "«Chagas disease» serology + (from ⟦Cochabamba|LOCATION⟧), «benznidazole», «ECG» «RBBB»"),
    ("PERSON", "«Swan-Ganz catheter» «PCWP 24», «CI 1.8», «dobutamine 2.5 mcg/kg/min»; CT surgeon Dr. ⟦Abebe|PERSON⟧"),
]


def build() -> list[dict[str, object]]:
    records: list[dict[str, object]] = []
    numbers: dict[str, int] = {}
    texts: set[str] = set()
    for main, marked in MESSAGES:
        assert main in TYPES, main
        numbers[main] = numbers.get(main, 0) + 1
        record_id = f"v3-{main.lower()}-{numbers[main]:02d}"
        text, spans, terms = parse(marked)
        assert any(s["type"] == main for s in spans), f"{record_id}: no {main} span"
        assert text not in texts, f"{record_id}: duplicate text"
        texts.add(text)
        check(record_id, text, spans, terms)
        records.append({"id": record_id, "split": "tuning", "text": text, "phi": spans,
                        "clinical_terms": terms})
    return records


def main() -> None:
    records = build()
    with_type, spans, terms = counts(records)
    for kind in TYPES:
        assert with_type[kind] >= MIN_RECORDS_PER_TYPE, f"{kind}: {with_type[kind]} records"
    assert len(records) >= MIN_MESSAGES, len(records)
    assert terms >= MIN_CLINICAL_TERMS, terms
    with OUT.open("w", encoding="utf-8") as handle:
        for record in records:
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")
    print(f"{'type':<12}{'records':>8}{'spans':>7}")
    for kind in TYPES:
        print(f"{kind:<12}{with_type[kind]:>8}{spans[kind]:>7}")
    print(f"{'total':<12}{len(records):>8}{sum(spans.values()):>7}")
    print(f"clinical terms: {terms}")
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
