"""Build tuning.jsonl: hand-written clinician messages with labelled PHI (the TUNING set).

Rules may be tuned on this set (unlike tests/data/redaction_independent/). Each message is
written with inline marks and the offsets are computed here, never typed by hand:

    ⟦text|TYPE⟧   a PHI span of a Safe Harbor type (end exclusive in the output)
    «text»        a clinical term that must survive redaction

Every span and term is asserted against the produced text, and no occurrence of a clinical
term may overlap PHI. Run from the repository root:

    .venv/bin/python tests/data/redaction_tuning/make_tuning.py
"""

from __future__ import annotations

import json
import re
from collections import Counter
from itertools import pairwise
from pathlib import Path
from typing import Any

TYPES = ("PERSON", "LOCATION", "ADDRESS", "DATE", "AGE", "PHONE", "FAX", "EMAIL", "SSN",
         "MRN", "HEALTH_PLAN", "ACCOUNT", "LICENSE", "VEHICLE", "DEVICE", "URL", "IP_ADDRESS",
         "BIOMETRIC", "PHOTO", "OTHER_ID")
MIN_RECORDS_PER_TYPE = 14
MIN_CLINICAL_TERMS = 350
OUT = Path(__file__).resolve().parent / "tuning.jsonl"

# (main type the message tests, marked text). The id is tune-<main type>-NN; most messages
# carry other types too.
MESSAGES: list[tuple[str, str]] = []

# --- names -------------------------------------------------------------------------------------
MESSAGES += [
    ("PERSON", "can u help me word a note for ⟦rose mcallister|PERSON⟧, «72 yo» w/ new «Bell's palsy» on the L, started «prednisone 60 mg PO daily» + «valacyclovir 1 g TID» today. her son ⟦will|PERSON⟧ will pick up the rx, will that be ok to put in the note?"),
    ("PERSON", "Handover from Dr. ⟦Bell|PERSON⟧ to Dr. ⟦Faith Okonkwo|PERSON⟧: bed ⟦12|OTHER_ID⟧ still on «heparin 5000 units sq q8h», «K 5.9» this AM, recheck «BMP» at 1400. she keeps asking for ⟦Hope|PERSON⟧ (daughter), number is ⟦(317) 555-0148|PHONE⟧. have faith, there is hope, she is improving."),
    ("PERSON", "Mrs ⟦Cushing|PERSON⟧ in for f/u — to be clear she does NOT have «Cushing syndrome»: «AM cortisol» 14 and the «dexamethasone suppression test» were normal. husband ⟦Grant|PERSON⟧ present, asked whether we can grant a letter for the «CGM»."),
    ("PERSON", "pls summarize: ⟦Nguyễn Thị Hương|PERSON⟧, DOB ⟦12/09/1948|DATE⟧. «Hb 7.2 g/dL» → got 2 units «PRBC» overnight, «Hb 8.9» post. needs a «Vietnamese interpreter» for consent. contact is her niece ⟦Lan Phạm|PERSON⟧."),
    ("PERSON", "⟦O'Brien-Kowalski, Mary Ellen|PERSON⟧ — s/p «Whipple procedure» ⟦14-Feb-2026|DATE⟧, «JP drain» 40 mL serous, drain amylase pending. Dr. ⟦Whipple|PERSON⟧'s team wants her back in clinic Tuesday."),
    ("PERSON", "pt ⟦Mark Summers|PERSON⟧ says ⟦Summer|PERSON⟧ (his wife) noticed the tremor first, back in the summer. «Hoehn and Yahr» stage 2 on «carbidopa/levodopa 25/100 TID». pls mark the «UPDRS» as pending"),
    ("PERSON", "ok so ⟦dawn|PERSON⟧ from pharmacy says «tirzepatide» is backordered til next month, can we switch ⟦hunter brooks|PERSON⟧ to «semaglutide 0.5 mg SC weekly»?? his «A1c 9.4%», at dawn his sugars are 200s"),
    ("PERSON", "Dear Dr. ⟦Stone|PERSON⟧,\nI would be grateful if you could see ⟦Kwame Mensah-Bonsu|PERSON⟧, who has a «Wolff-Parkinson-White» pattern on ECG and palpitations. A 48-hour «Holter monitor» showed runs of «SVT» up to «HR 190». No «kidney stone» history despite the flank pain.\nKind regards,\n⟦Ayesha Rahman|PERSON⟧, MD"),
    ("PERSON", "⟦Zbigniew Wróblewski|PERSON⟧ (goes by ⟦Zbyszek|PERSON⟧) — «Colles fracture» R wrist, FOOSH on ice, «hematoma block» + «closed reduction» in ED, «sugar-tong splint». ortho f/u w/ Dr ⟦Jovanović|PERSON⟧ in 1 wk"),
    ("PERSON", "SBAR\nS: ⟦Abdulrahman Al-Farsi|PERSON⟧, «NSTEMI», «troponin 0.04» → 0.31\nB: «CABG» «in 2019», «DM2» on «empagliflozin 10 mg»\nA: CP resolved on «nitroglycerin drip»\nR: «cath lab» in AM, «NPO after midnight», hold «empagliflozin»\n-- ⟦jk|PERSON⟧"),
    ("PERSON", "note to self: call ⟦Bill Price|PERSON⟧ back re «INR 3.8» on «warfarin 5 mg daily» — hold tonight, recheck Fri. his wife ⟦Joy|PERSON⟧ fills the pill box. the bill for the «anticoagulation clinic» went to the wrong place, no joy with billing so far"),
    ("PERSON", "Pt's name is ⟦Siobhán Ní Bhriain|PERSON⟧ (pronounced shiv-AWN). «Dix-Hallpike» positive on the R, «Epley maneuver» x2 and symptoms much better. If it recurs → ENT, Dr. ⟦Aoife Brennan|PERSON⟧."),
    ("PERSON", "who's covering ⟦Hiroshi Tanaka|PERSON⟧ tonight? his daughter ⟦Yuki|PERSON⟧ called, says he's been confused since dinner. «GCS 14», «CT head without contrast» ordered, «Na 128» this am"),
    ("PERSON", "chart review for ⟦J.R.|PERSON⟧ (initials only pls): «Gleason 3+4», «PSA 8.2», «PI-RADS 4» lesion, discussed «active surveillance» vs «radical prostatectomy». urologist is ⟦P. Kapoor|PERSON⟧."),
    ("PERSON", "logged in as ⟦dlopez3|PERSON⟧ — question from ⟦Ivy Marchetti|PERSON⟧'s mom: is «dupilumab 300 mg SC q2w» ok if the baby gets the «MMR vaccine»? ⟦Ivy|PERSON⟧ herself has «atopic dermatitis», «EASI 24»."),
    ("PERSON", "Mr ⟦Hart|PERSON⟧ (⟦Gilbert Hart|PERSON⟧, not his brother ⟦Chance|PERSON⟧) — bili 2.4 unconjugated, rest of LFTs normal: «Gilbert syndrome», reassure. separately the «Chance fracture» pt is ⟦Chance Whitaker|PERSON⟧ in bed ⟦9|OTHER_ID⟧, «TLSO brace»."),
    ("PERSON", "Pt: ⟦Oluwaseun Adeyemi|PERSON⟧ (⟦Seun|PERSON⟧)\nReferring: Dr. ⟦Svetlana Kuznetsova|PERSON⟧\nQ: «Hunter syndrome» carrier testing for his sister ⟦Folake|PERSON⟧? «iduronate-2-sulfatase» activity low in the nephew\n— sent by ⟦park.jihoon|PERSON⟧"),
]

# --- geographic: towns, counties, zip codes, facilities with their town ---------------------------
MESSAGES += [
    ("LOCATION", "pt lives near ⟦Chillicothe|LOCATION⟧, ~1 hr from us, so transport for «hemodialysis» MWF is the real barrier. «Kt/V 1.1», «AV fistula» L arm still maturing."),
    ("LOCATION", "transfer accepted from ⟦Mercy Health Lorain|LOCATION⟧: «81M» w/ «Stanford type A» dissection on an «esmolol drip», «SBP 105». ETA 40 min, accepting CT surgeon is Dr. ⟦Mahmoud Haddad|PERSON⟧."),
    ("LOCATION", "she's from ⟦Old Lyme|LOCATION⟧ and wants to know if it's «Lyme disease» — 8 cm «erythema migrans» on the thigh. start «doxycycline 100 mg PO BID x 10 days», no serology needed."),
    ("LOCATION", "visiting from ⟦Denver|LOCATION⟧, has a «Denver shunt» for refractory «ascites», placed in ⟦Aurora|LOCATION⟧ «in 2023». «albumin 2.1», «MELD 19», shunt looks patent on US."),
    ("LOCATION", "zip is ⟦43215|LOCATION⟧ so she qualifies for the county «home health aide» program; the ⟦Franklin County|LOCATION⟧ forms are in the blue folder. «Braden 13», needs a «pressure-redistribution mattress»."),
    ("LOCATION", "Social hx: born in ⟦Kumasi|LOCATION⟧, moved to the ⟦Bronx|LOCATION⟧ «in 2011». «sickle cell disease» («HbSS») on «hydroxyurea 1000 mg daily», last «vaso-occlusive crisis» ⟦Dec '25|DATE⟧."),
    ("LOCATION", "he was camping outside ⟦Moab|LOCATION⟧ last wk, now fever + petechial rash on palms/soles — worried about «Rocky Mountain spotted fever», started «doxycycline» empirically, «plt 88», «Na 131»."),
    ("LOCATION", "from ⟦Glasgow|LOCATION⟧ (the one in Kentucky, not Scotland lol). «GCS 15» on arrival, «NEXUS criteria» negative so no «CT C-spine»."),
    ("LOCATION", "she was seen at ⟦St. Vincent's in Erie|LOCATION⟧ last ⟦Tuesday the 9th|DATE⟧ for the same «syncope»; they did a «tilt table test» and started «midodrine 5 mg TID»."),
    ("LOCATION", "3 kids from the same daycare in ⟦Westerville|LOCATION⟧ w/ «hand, foot and mouth disease», «Coxsackie A16» on PCR — notify «infection prevention», no «antivirals» needed."),
    ("LOCATION", "pt is a «Jehovah's Witness», declines «blood products» incl «albumin». lives in ⟦Hilliard|LOCATION⟧ with her sister ⟦Ruth Ann Byers|PERSON⟧, who is her «healthcare power of attorney»."),
    ("LOCATION", "stroke alert: EMS from ⟦Pickaway County|LOCATION⟧, LKW 08:50, «NIHSS 6», «tenecteplase 0.25 mg/kg» at 09:41, «door-to-needle 31 min», «CTA head and neck» no LVO"),
    ("LOCATION", "moving to ⟦Tucson|LOCATION⟧ next month — can you draft a letter to her new «pulmonologist» with the «CPAP» setting (10 cmH2O) and the «polysomnography» result, «AHI 34»?"),
    ("LOCATION", "mailing the «Holter» report to her home in ⟦Kalamazoo|LOCATION⟧ (⟦49008|LOCATION⟧) since she has no portal. «PVC burden 14%», start «metoprolol succinate 25 mg daily»."),
    ("LOCATION", "grandson visiting from ⟦Lagos|LOCATION⟧, fever x3 days since arrival. «thick and thin smear» shows «Plasmodium falciparum» 2% → «artemether-lumefantrine», repeat smear 24h"),
    ("LOCATION", "Outside records from ⟦Springfield Regional Medical Center|LOCATION⟧ say «NYHA class III», «LVEF 30%»; she spends winters in ⟦Naples|LOCATION⟧ so f/u may be down there."),
    ("LOCATION", "pt works on a dairy farm outside ⟦Ashtabula|LOCATION⟧, raw milk exposure → check «Brucella serology», «Q fever» titers too. «ESR 88», «CRP 142»."),
]

# --- street addresses ----------------------------------------------------------------------------
MESSAGES += [
    ("ADDRESS", "Address on file: ⟦1427 Maple Ave Apt 3B, Columbus, OH 43201|ADDRESS⟧. «home health» to start «wound vac» changes MWF, «NPWT -125 mmHg» continuous to the sacral wound."),
    ("ADDRESS", "send the «DME» order for a «hospital bed» and «Hoyer lift» to ⟦88 Brook Hollow Rd, Dublin OH 43017|ADDRESS⟧; daughter ⟦Brooke Hollis|PERSON⟧ will sign for it."),
    ("ADDRESS", "lives at ⟦Rosewood Apartments, Unit 14, 300 W 5th St|ADDRESS⟧ — alone, 3rd floor, no elevator. needs «PT/OT eval» before d/c, «TUG 18 sec», «4-wheeled walker»."),
    ("ADDRESS", "pls mail the itemized statement to ⟦PO Box 2231, Zanesville, OH 43702|ADDRESS⟧, guarantor acct ⟦A-77120045|ACCOUNT⟧. pt had «EGD» + «colonoscopy» same day and got billed twice for «propofol sedation»."),
    ("ADDRESS", "home visit today at ⟦RR 2 Box 118, Coshocton|ADDRESS⟧ — gravel drive, two dogs. «BP 156/94», found the «furosemide 40 mg PO daily» unopened in the cabinet."),
    ("ADDRESS", "Referral from the UK: pt lives at ⟦Flat 2, 17 Hawthorn Terrace, Leeds LS6 2QP|ADDRESS⟧, GP is Dr ⟦Imogen Hale|PERSON⟧. hx «ulcerative colitis» on «mesalazine 2.4 g daily», «faecal calprotectin 480»."),
    ("ADDRESS", "EMS found him down at ⟦4th and Main|ADDRESS⟧ around 0200, «GCS 8», «naloxone 4 mg IN» x2 with response, «EtCO2 55» → «BiPAP» in the ED."),
    ("ADDRESS", "pt addr is ⟦221 e broad st columbus|ADDRESS⟧ apt ?? not sure. can u put the «follow-up» section of the «discharge summary» first and leave the address blank"),
    ("ADDRESS", "Discharge to ⟦Brookdale Senior Living, 6500 Sunbury Rd, Westerville|ADDRESS⟧ — report called to ⟦Dawn Whitaker|PERSON⟧ RN. on «apixaban 2.5 mg BID», «Morse fall scale 55», needs «bed alarm»."),
    ("ADDRESS", "the clinic moved to ⟦2100 Kenny Rd, Suite 400|ADDRESS⟧; tell ⟦Faruk Demir|PERSON⟧ his «stress echo» is there now, not at the old «cardiology» office on the main campus."),
    ("ADDRESS", "pt moving back to Germany, new address ⟦Hauptstraße 12, 80331 München|ADDRESS⟧, wants records sent there. «Hashimoto thyroiditis», «levothyroxine 88 mcg daily», «TSH 0.02» so reduce to 75 mcg"),
    ("ADDRESS", "his son lives at ⟦9 Stone Ridge Ct|ADDRESS⟧ and pt will stay there after the «ESWL» for the «kidney stone»; Dr. ⟦Stone|PERSON⟧ to see him in 2 wks w/ «KUB»."),
    ("ADDRESS", "Patient address: ⟦Flat 402, Sai Residency, Baner Road, Pune 411045|ADDRESS⟧. Here for a 2nd opinion on «TAVR» vs «SAVR», «aortic valve area 0.7 cm2», «mean gradient 48 mmHg»."),
    ("ADDRESS", "no fixed address, sleeps at the ⟦Open Door shelter, 245 N 6th St|ADDRESS⟧. «hepatitis C antibody» +, RNA pending; if viremic → «sofosbuvir/velpatasvir» x12 wks, can we do «directly observed therapy» there?"),
    ("ADDRESS", "Emergency contact (spouse), same address: ⟦17 Bell Lane, Hanover, NH 03755|ADDRESS⟧. She recovered well from the «Bell's palsy», «House-Brackmann grade II» at 3 months."),
    ("ADDRESS", "correction — she moved, new addr ⟦Apt 5C, 1200 Ocean Pkwy, Brooklyn NY 11230|ADDRESS⟧ (old one was ⟦45 Queen St W, Toronto ON M5H 2M9|ADDRESS⟧ before she left Canada). «IUD» check due, «Mirena» «placed 2022»."),
    ("ADDRESS", "lives on ⟦elm st|ADDRESS⟧ right by the fire station, says the sirens wake him — «insomnia», «CBT-I» referral before any «zolpidem»; «PHQ-9 of 11»."),
]

# --- dates (never a year alone) ------------------------------------------------------------------
MESSAGES += [
    ("DATE", "Adm ⟦02/27/2026|DATE⟧, d/c ⟦03/02/2026|DATE⟧. «community-acquired pneumonia» treated with «ceftriaxone 1 g IV q24h» + «azithromycin 500 mg PO daily», switched to «amoxicillin-clavulanate 875 mg BID» at d/c. «CURB-65 of 2»."),
    ("DATE", "can u draft a letter: pt ⟦Teodora Ilić|PERSON⟧ was seen ⟦04-Mar-2026|DATE⟧ and may return to work on ⟦the 17th|DATE⟧. no lifting >10 lb for 4 wks after «laparoscopic cholecystectomy»."),
    ("DATE", "DOB ⟦1939-11-05|DATE⟧ / «CKD stage 3b» / «eGFR 38» / hold «metformin» if «eGFR» < 30 — f/u ⟦2026-03-04|DATE⟧ w/ «nephrology», «UACR 310 mg/g», consider «finerenone 10 mg daily»"),
    ("DATE", "LMP ⟦2/20|DATE⟧, «EDD» ⟦11/27/2026|DATE⟧ by dates, dating US consistent. «G2P1», «Rh negative» → «RhoGAM» at 28 wks, «NIPT» low risk."),
    ("DATE", "«Bishop score» was 8 on ⟦March 3rd|DATE⟧, delivered ⟦March 4th|DATE⟧ at 0212, «Apgar 7 and 9», 3.4 kg. baby boy ⟦Elias|PERSON⟧, «vitamin K 1 mg IM» given."),
    ("DATE", "last seen in clinic ⟦Nov. '25|DATE⟧ … wait no, ⟦Jan 6|DATE⟧. «LDL 162» on «atorvastatin 40 mg», adding «ezetimibe 10 mg daily», if still high → «inclisiran»."),
    ("DATE", "DOS: ⟦01/15/26|DATE⟧ | «CPT 99214» | «ICD-10 E11.65» | next visit ⟦4/15|DATE⟧ | «A1c 8.1%» | «microalbumin» ordered"),
    ("DATE", "the UK colleague wrote ⟦15/01/2026|DATE⟧ on the letter so it's ⟦jan 15|DATE⟧, not a typo. «FEV1 48% predicted», «GOLD 3», on «tiotropium 18 mcg daily» + «budesonide/formoterol»."),
    ("DATE", "surgery booked for ⟦the 22nd|DATE⟧: «Mallampati 2», «ASA III», hold «apixaban» 48 h before. «anesthesia consult» done by Dr. ⟦Anand Subramaniam|PERSON⟧, «difficult airway» cart not needed."),
    ("DATE", "He fell on ⟦Christmas Eve|DATE⟧ and waited till ⟦the 27th|DATE⟧ to come in: «Garden III» «femoral neck fracture», «hemiarthroplasty» planned, «DVT prophylaxis» with «enoxaparin 40 mg SC daily» post-op."),
    ("DATE", "timeline: sx onset ⟦3.4.26|DATE⟧ → ED ⟦3.6.26|DATE⟧ → «LP» «opening pressure 32 cmH2O», «Kernig sign» neg, «Brudzinski sign» neg. wife ⟦Zhou Wei|PERSON⟧ at bedside."),
    ("DATE", "born ⟦4 July 1936|DATE⟧ per the passport copy; prefers to be called ⟦Kazik|PERSON⟧. «atrial fibrillation» on «rivaroxaban 15 mg daily», «CHA2DS2-VASc 5», «HAS-BLED 2»."),
    ("DATE", "was admitted in ⟦February 2026|DATE⟧ for the same thing — «DKA», «pH 7.12», «anion gap 26», «insulin drip 0.1 units/kg/hr». this time «beta-hydroxybutyrate 5.2»."),
    ("DATE", "pls compute «CrCl» for «vancomycin» dosing. labs ⟦20260304|DATE⟧: «Cr 1.8», wt 82 kg, «trough 22.4» — current dose «1250 mg IV q12h», «AUC-guided dosing» preferred"),
    ("DATE", "Last «colonoscopy» ⟦Aug. 2021|DATE⟧ w/ 2 «tubular adenomas», so repeat due ⟦Aug 2026|DATE⟧? also «Barrett's esophagus» on EGD «since 2019», no dysplasia."),
    ("DATE", "wk of ⟦3/16|DATE⟧ works for the «infusion», ⟦Mon 3/9|DATE⟧ is out (she has the «MRI brain»). «ocrelizumab 600 mg IV» q6 months, «JCV antibody» negative."),
    ("DATE", "New «warfarin» pt: start ⟦Wed, Mar 11|DATE⟧, «INR» check tmrw (⟦3/12|DATE⟧) then ⟦the 3rd of April|DATE⟧. goal «INR 2-3» for the «mechanical mitral valve»… actually goal 2.5-3.5."),
]

# --- ages over 89 (ages under 90 are not PHI) -------------------------------------------------------
MESSAGES += [
    ("AGE", "⟦92|AGE⟧ yo F from ⟦Marysville|LOCATION⟧ w/ «intertrochanteric hip fracture», «ASA III», «fascia iliaca block» done in ED. daughter ⟦Barbara Kline|PERSON⟧ is her «healthcare POA»."),
    ("AGE", "pt is ⟦ninety-two|AGE⟧ and sharp as a tack, declines «dialysis», wants «hospice». «Cr 6.4», «K 6.1» — «sodium zirconium cyclosilicate 10 g TID» for now, «calcium gluconate» given"),
    ("AGE", "a ⟦93|AGE⟧ yo man w/ severe «aortic stenosis», «AVA 0.6 cm2» — is he a «TAVR» candidate? «STS score 8%», «Clinical Frailty Scale 6», lives alone."),
    ("AGE", "Mrs ⟦Addison|PERSON⟧, aged ⟦101|AGE⟧, «Addison's disease» on «hydrocortisone 15 mg AM / 5 mg PM», here with «hyponatremia», «Na 124» — «stress-dose steroids»?"),
    ("AGE", "Her ⟦97|AGE⟧-year-old mother lives with them and also needs a «flu shot» — can we do both at the same visit? pt herself is «68 yo» w/ «COPD», due for «PCV20» too."),
    ("AGE", "⟦94|AGE⟧F, «UTI» vs «urosepsis», «lactate 2.8», started «ceftriaxone 1 g IV q24h», urine cx pending. from ⟦Sunrise of Upper Arlington|LOCATION⟧ memory care."),
    ("AGE", "Age: ⟦90|AGE⟧\nSex: M\nCC: «dysphagia» to solids x2 months\nPlan: «modified barium swallow», «SLP eval», «mechanical soft diet», r/o «Zenker's diverticulum»"),
    ("AGE", "he turned ⟦100|AGE⟧ last week!! family asks if he can still have birthday cake lol — «A1c 6.8», no «insulin», just «linagliptin 5 mg daily», so yes."),
    ("AGE", "⟦ninety-six|AGE⟧ years old, fall at home, «subdural hematoma» 6 mm, «no midline shift», on «aspirin 81 mg»; neurosurgery says observe, repeat «CT head» in 6 h."),
    ("AGE", "⟦103|AGE⟧M — oldest pt on the unit — «aspiration pneumonia», «ampicillin-sulbactam 3 g IV q6h», «SLP» following. «DNR/DNI» confirmed with grandson ⟦Rashid|PERSON⟧."),
    ("AGE", "For the «deprescribing» review: she's ⟦91|AGE⟧ y/o on 14 meds incl «oxybutynin» and «diphenhydramine», both on the «Beers criteria». husband is «87 y/o» and manages the meds."),
    ("AGE", "Pt ⟦Eleanor Voss|PERSON⟧, ⟦99|AGE⟧, «MoCA 12/30», «donepezil 10 mg qHS», daughter asks about «lecanemab» — not a candidate («ARIA» risk, on «apixaban»)."),
    ("AGE", "pls reword for the family: 'at ⟦ninety-one|AGE⟧, the risks of «general anesthesia» for the «ERCP» are higher, but «choledocholithiasis» with «bilirubin 6.2» needs treatment.'"),
    ("AGE", "Ms. ⟦Bishop|PERSON⟧ is ⟦95|AGE⟧ — no, not the «Bishop score» lady from L&D, wrong pt lol. Ms ⟦Bishop|PERSON⟧ (⟦95|AGE⟧) is the «CHF» one: «BNP 1240», «furosemide 40 mg IV BID»."),
    ("AGE", "centenarian f/u: ⟦102|AGE⟧-yr-old, «pacemaker» interrogation normal, «battery longevity» 6 years, hx «Mobitz type II» «AV block». device serial ⟦PJN449102S|DEVICE⟧."),
    ("AGE", "Grandma is celebrating her ⟦ninety-eighth|AGE⟧ birthday on the unit ⟦Saturday the 14th|DATE⟧ — ok to give her «regular diet» that day? she's on «dysphagia diet level 6»."),
    ("AGE", "«72M» and his mother (aged ⟦ninety|AGE⟧, lives w/ him) both tested + for «influenza A»: «oseltamivir 75 mg BID x5d» for him, renal dose «30 mg daily» for her («CrCl 25»)."),
]

# --- telephone numbers ---------------------------------------------------------------------------
MESSAGES += [
    ("PHONE", "call the pt's daughter ⟦Grace Oyelaran|PERSON⟧ at ⟦(614) 555-0192 ext. 204|PHONE⟧ (work) re the «MRI brain» — «FLAIR hyperintensities» c/w «small vessel ischemic disease», nothing acute."),
    ("PHONE", "cell ⟦614.555.0133|PHONE⟧, home ⟦614 555 0177|PHONE⟧, prefers texts. on «metoprolol tartrate 25 mg PO BID», «HR 58» this am so hold for HR < 55"),
    ("PHONE", "local number only, ⟦555-0147|PHONE⟧ (no area code given). wife ⟦Penny|PERSON⟧ answers. «AAA» 5.6 cm on CT → «vascular surgery» referral, not a penny of out-of-pocket per her plan."),
    ("PHONE", "Son is in ⟦London|LOCATION⟧, ⟦+44 20 7946 0958|PHONE⟧, wants daily updates; pt ⟦Arjun Mehta|PERSON⟧ consented. «CABG x3», «POD 2», «chest tube» out, «amiodarone» for post-op «AF»."),
    ("PHONE", "brother in ⟦Pune|LOCATION⟧: ⟦+91 98765 43210|PHONE⟧ — speaks Marathi only, use the «interpreter line». pt on a «bedaquiline»-based regimen for «MDR-TB», «QTc 478» so weekly ECGs"),
    ("PHONE", "pls call back the specialty pharmacy ⟦1-800-555-0199|PHONE⟧ option 3 about «nirmatrelvir/ritonavir» with her «tacrolimus» — hold tac or use «remdesivir» instead?"),
    ("PHONE", "pt's number is ⟦6145550166|PHONE⟧ (no dashes, that's how registration entered it). «sacubitril/valsartan 24/26 mg BID» started, «K 4.8», «Cr 1.3», recheck in 1 wk."),
    ("PHONE", "mom's cell ⟦(380) 555-0124|PHONE⟧ / dad ⟦Hunter Calloway|PERSON⟧ ⟦380-555-0188|PHONE⟧. baby has «neonatal hyperbilirubinemia», «TSB 16.2» at 40 h, «phototherapy» started."),
    ("PHONE", "this is the pt's own number ⟦740 555 0110 x12|PHONE⟧, it rings her office. «ferritin 12», «iron deficiency anemia» → «ferrous sulfate 325 mg every other day»."),
    ("PHONE", "Callback ⟦+1 (212) 555-0178|PHONE⟧: ⟦Leila Haddad|PERSON⟧ (pt's sister, she's an RN) asking why «amiodarone» instead of «catheter ablation» for the «atrial flutter»."),
    ("PHONE", "pt dictated her number as ⟦six one four five five five zero one nine one|PHONE⟧ — can you put it in digits in the note? also «albuterol HFA 2 puffs q4h PRN»."),
    ("PHONE", "travelling in ⟦Sydney|LOCATION⟧ until ⟦the 30th|DATE⟧, reachable on ⟦+61 2 9876 5432|PHONE⟧; needs an «INR» check while away — on «warfarin», last «INR 2.6»."),
    ("PHONE", "home phone ⟦(937)555-0143|PHONE⟧ — «COVID-19» positive day 2, «nirmatrelvir/ritonavir» is out with her «amiodarone», so «molnupiravir 800 mg BID x5 days»?"),
    ("PHONE", "Answering service: '⟦Faith Delgado|PERSON⟧ called 21:40, wants a refill of «sertraline 100 mg», call back ⟦614-555-0105|PHONE⟧ after 9am.' — ok to send 30 days?"),
    ("PHONE", "the on-call «neurology» resident is ⟦Tomasz Nowak|PERSON⟧, pager ⟦614-555-0139|PHONE⟧. «EEG» shows «nonconvulsive status epilepticus», load «levetiracetam 60 mg/kg IV»."),
    ("PHONE", "Kontakt Tochter: ⟦+49 30 12345678|PHONE⟧ (⟦Berlin|LOCATION⟧). pt's «HbA1c 7.9%» — she wants the «Freestyle Libre» prescribed here, can you write the justification?"),
    ("PHONE", "WhatsApp only: ⟦+52 55 1234 5678|PHONE⟧ (pt's husband ⟦Joaquín|PERSON⟧). «preeclampsia with severe features», «magnesium sulfate 4 g IV load then 2 g/hr»."),
]

# --- fax numbers -----------------------------------------------------------------------------------
MESSAGES += [
    ("FAX", "fax the «echo» report to ⟦(614) 555-0161|FAX⟧ attn Dr. ⟦Mei Lin|PERSON⟧ — «LVEF 35%», «grade II diastolic dysfunction», «moderate MR»."),
    ("FAX", "Phone: ⟦614.555.0171|PHONE⟧ | Fax: ⟦614.555.0172|FAX⟧ — that's the office for the «prior authorization» on «empagliflozin 10 mg», they want the last «eGFR» and «A1c»."),
    ("FAX", "pls fax records to the «SNF» at ⟦740-555-0119|FAX⟧: «MAR», last «INR 2.4», «wound care» orders, and the «PICC line» placement note."),
    ("FAX", "their fax is ⟦1 800 555 0137|FAX⟧ — referral for a «sleep study» on ⟦Reuben Goldberg|PERSON⟧, «STOP-BANG 6», «Epworth 15»."),
    ("FAX", "F: ⟦+44 161 496 0123|FAX⟧ (the ⟦Manchester|LOCATION⟧ office). histology: «superficial spreading melanoma», «Breslow thickness 1.2 mm», «Clark level IV», → «sentinel lymph node biopsy»."),
    ("FAX", "Fax # ⟦(330)555-0180|FAX⟧, confirm receipt w/ ⟦Dawn|PERSON⟧ at ⟦(330)555-0181|PHONE⟧. «PFTs»: «DLCO 42%», «FVC 61%», c/w «ILD»."),
    ("FAX", "re-faxed the path to ⟦5550193|FAX⟧ (internal 7-digit line): «ER/PR positive», «HER2 3+», «Ki-67 30%» → «trastuzumab» + «pertuzumab» discussion at tumor board"),
    ("FAX", "cover sheet pls:\nTO: Dr. ⟦Grant Bishop|PERSON⟧\nFAX: ⟦216-555-0155|FAX⟧\nRE: ⟦Hope Adeyemi|PERSON⟧ — «Bishop score» 9 at 39+2, «oxytocin» induction planned\nCONFIDENTIAL"),
    ("FAX", "fax the signed «hospice» certification to ⟦513-555-0142|FAX⟧ attn medical records. pt ⟦Wanjiru Kamau|PERSON⟧, «PPS 40%», «FAST 7a»."),
    ("FAX", "e-fax ⟦+1-646-555-0114|FAX⟧ → «cardiology»: «QTc 512» on «ondansetron» + «haloperidol», both stopped, «magnesium 1.6» repleted."),
    ("FAX", "ortho clinic fax ⟦937.555.0136|FAX⟧ – «MRI knee»: «medial meniscus tear», «McMurray test» + on exam, «Lachman test» neg, «ACL» intact."),  # noqa: RUF001 (an en dash, as typed)
    ("FAX", "the «dialysis» unit's fax changed to ⟦614 555 0150|FAX⟧; send the «hepatitis B surface antibody» and «epoetin alfa» dosing for ⟦Olusegun Bakare|PERSON⟧."),
    ("FAX", "Fax ⟦+91 20 2555 0187|FAX⟧ (clinic in ⟦Pune|LOCATION⟧) — send the «IGRA» result and «chest X-ray» for ⟦Priya Natarajan|PERSON⟧'s visa medical."),
    ("FAX", "faxed to the wrong # (⟦614-555-0112|FAX⟧ instead of ⟦614-555-0121|FAX⟧) — incident report filed. it had her «HIV viral load» «<20 copies/mL» and «CD4 610»."),
    ("FAX", "Outpatient infusion: fax orders to ⟦(614) 555 0169|FAX⟧ — «infliximab 5 mg/kg IV» at weeks 0, 2, 6 for «Crohn's disease», «TB screen» negative, «hep B» immune."),
    ("FAX", "fx: ⟦800.555.0163|FAX⟧ tel ⟦800.555.0162|PHONE⟧ — «Medtronic CareLink» support. they need the «ICD» interrogation faxed after the «shock» episode."),
]

# --- e-mail addresses ----------------------------------------------------------------------------
MESSAGES += [
    ("EMAIL", "pt prefers email: ⟦maria.gonzalez1962@gmail.com|EMAIL⟧ — send the «lipid panel» + «HbA1c» results, she's anxious about the «LDL 190»."),
    ("EMAIL", "her daughter wrote from ⟦jane at example dot com|EMAIL⟧ (spelled out like that in the msg) asking about «hospice» vs «palliative care» — can you draft a plain-language reply?"),
    ("EMAIL", "cc ⟦a.okafor@sanoweb-clinic.org|EMAIL⟧ on the «tumor board» summary: «ypT2N1», «FOLFOX» x8 cycles done, «CEA 3.1»."),
    ("EMAIL", "send the «prior authorization» letter for «dupilumab» to ⟦ebrooks_pa@northside-derm.com|EMAIL⟧; pt is ⟦Eli Brooks|PERSON⟧, «EASI 28», failed «tacrolimus ointment»."),
    ("EMAIL", "email on file: ⟦HUNTER.ROSS77@YAHOO.COM|EMAIL⟧ (all caps as typed). «Ross procedure» as a kid for «congenital aortic stenosis», now «autograft dilation» 4.6 cm."),
    ("EMAIL", "contact the son at ⟦kwame [at] mensahfamily [dot] net|EMAIL⟧ — he wants the «PET-CT» result explained before the «oncology» visit."),
    ("EMAIL", "portal msg from ⟦svetlana.k@mail.ru|EMAIL⟧: on «methotrexate 15 mg weekly», can she take «folic acid 1 mg daily»? → yes, except on the methotrexate day."),
    ("EMAIL", "send to ⟦j.o'neill+clinic@outlook.ie|EMAIL⟧ — «Tanner stage 3» at 11, «bone age» 13 y, «LH» pubertal, refer «pediatric endocrinology»."),
    ("EMAIL", "Thanks,\n⟦Hope Mwangi|PERSON⟧, NP | «Heart Failure Clinic»\n⟦hmwangi@sanoweb.health|EMAIL⟧ | ⟦614-555-0157|PHONE⟧"),
    ("EMAIL", "the bounced email was ⟦bill_stone@@comcast.net|EMAIL⟧ (typo, two @), corrected to ⟦bill_stone@comcast.net|EMAIL⟧. re his «gallstones»: «HIDA scan» «gallbladder EF 18%» → «cholecystectomy»."),
    ("EMAIL", "school nurse ⟦nurse.rivera@cps-k12.org|EMAIL⟧ needs the «asthma action plan» for ⟦Mateo Rivera|PERSON⟧: «albuterol 2 puffs q4h PRN», «fluticasone 44 mcg 2 puffs BID»."),
    ("EMAIL", "ur email is wrong in my profile, it should be ⟦t.nakamura@hosp.example.jp|EMAIL⟧ … ok now draft the «sacubitril/valsartan» titration schedule pls"),
    ("EMAIL", "wife emailed from ⟦faith-and-grace.h@icloud.com|EMAIL⟧ with pics of the rash on his trunk — looks like «pityriasis rosea», «herald patch» 3 cm, no tx needed."),
    ("EMAIL", "Forward the «EEG» to ⟦epilepsy-intake@childrens.example.org|EMAIL⟧ — pt ⟦Amara Nwosu|PERSON⟧, «absence seizures», «3 Hz spike-and-wave», on «ethosuximide 250 mg BID»."),
    ("EMAIL", "e-mail: ⟦dawn.summers(at)protonmail(dot)com|EMAIL⟧ — «dysuria» x2 days, no fever → «nitrofurantoin 100 mg BID x5d», «urine culture» sent."),
    ("EMAIL", "From: ⟦rashid.alhashimi@gmail.com|EMAIL⟧\nTo: ⟦clinic-inbox@sanoweb.health|EMAIL⟧\nSubject: my dad's «warfarin» dose\n'his INR was 4.1 at the pharmacy, should he skip tonight?'"),
]

# --- social security numbers -----------------------------------------------------------------------
MESSAGES += [
    ("SSN", "SSN ⟦523-48-7719|SSN⟧ is on the disability form; dx «L5 radiculopathy», «EMG» confirms, on «gabapentin 300 mg TID», «MRI lumbar spine» shows «L4-L5 disc herniation»."),
    ("SSN", "ss# ⟦523 48 7720|SSN⟧ — for the «FMLA» paperwork. pt ⟦Rosa Delgado|PERSON⟧, «postpartum depression», «EPDS 17», on «sertraline 50 mg» + «zuranolone» course finished."),
    ("SSN", "social is ⟦412.66.9081|SSN⟧ (dots, as written on the intake). starting «HIV PrEP»: «emtricitabine/tenofovir disoproxil» daily, «Cr 0.9», «HIV Ag/Ab» neg."),
    ("SSN", "the «Medicaid» application needs SSN ⟦412669082|SSN⟧ and DOB ⟦06/30/1987|DATE⟧; pt ⟦Trịnh Văn Đức|PERSON⟧ has «chronic hepatitis B» on «tenofovir alafenamide»."),
    ("SSN", "verified identity with the last four ⟦7719|SSN⟧ + DOB before giving the «PSA 12.4» result over the phone; «MRI prostate» next."),
    ("SSN", "last 4 of ssn ⟦0321|SSN⟧, name ⟦william hart|PERSON⟧ — «heart failure» f/u, «EF 25%», «ICD» discussion, on «GDMT» incl «dapagliflozin 10 mg»"),
    ("SSN", "pt SSN xxx-xx-⟦4482|SSN⟧ (masked on the scan). «ANA 1:640», «anti-dsDNA» positive, «lupus nephritis class IV» on biopsy → «mycophenolate» + «voclosporin»."),
    ("SSN", "SSN ⟦231-77-0045|SSN⟧ belongs to ⟦Grant Lee|PERSON⟧, not his father ⟦Grant Lee Sr.|PERSON⟧ — pls fix registration before the «colonoscopy» gets billed to the wrong one."),
    ("SSN", "she read her social out as ⟦six oh one, two two, eight eight four three|SSN⟧ — can you format that? dx «fibromyalgia», on «duloxetine 60 mg daily»."),
    ("SSN", "Soc Sec No.: ⟦345-09-1276|SSN⟧\nDx: «carpal tunnel syndrome» R > L, «Phalen test» +, «Tinel sign» +, «NCS» moderate\nPlan: «carpal tunnel release»"),
    ("SSN", "the «SSA» disability form asks for her SSN, which she gave as ⟦289 04 5531|SSN⟧. dx «Huntington disease», «CAG repeat» 44, on «tetrabenazine 12.5 mg BID»."),
    ("SSN", "no SSN, uses an ITIN: ⟦912-78-4410|SSN⟧. «QuantiFERON» neg, «hepatitis B» immune, cleared for the «kidney transplant» waitlist eval."),
    ("SSN", "SSN#⟦503226618|SSN⟧ (no dashes). «Lachman test» positive, «ACL tear» on «MRI knee», «ACL reconstruction» with hamstring autograft planned."),
    ("SSN", "pt read me her social: ⟦387 - 11 - 2094|SSN⟧ (spaces around the dashes). «MRSA» nares positive → «mupirocin 2% BID x5 days» before «TKA»."),
    ("SSN", "his SSN ends in ⟦6690|SSN⟧; kids ⟦Summer|PERSON⟧ (8) and ⟦Stone|PERSON⟧ (5) are on his plan. «Tdap» for him, «DTaP» dose 5 for ⟦Stone|PERSON⟧."),
    ("SSN", "Patient: ⟦KOWALCZYK, Marek|PERSON⟧   SSN: ⟦148-62-3307|SSN⟧   DOB: ⟦10/02/1958|DATE⟧\n«hypertrophic cardiomyopathy», «septal thickness 21 mm» → «mavacamten 5 mg daily», «LVEF» monitoring q4 wks"),
]

# --- medical record numbers ------------------------------------------------------------------------
MESSAGES += [
    ("MRN", "MRN ⟦00482913|MRN⟧ — «Swan-Ganz catheter» placed in the «ICU», «PCWP 24», «cardiac index 1.8» → start «milrinone 0.375 mcg/kg/min», hold «carvedilol»."),
    ("MRN", "mrn: ⟦A1234567|MRN⟧ pls pull the last «CBC» and «CMP» and tell me if the «WBC 14.2» is trending down"),
    ("MRN", "Med Rec #: ⟦12/44598|MRN⟧\nPt: ⟦Fatima Zahra Benali|PERSON⟧\n«Crohn's disease» «ileocolonic», on «risankizumab 180 mg SC q8w», «fecal calprotectin 95»"),
    ("MRN", "pt ⟦7734521|MRN⟧ in bed ⟦4B-12|OTHER_ID⟧ needs «potassium chloride 40 mEq PO» for «K 3.1», recheck 4h. (that's ⟦7734521|MRN⟧ not ⟦7734512|MRN⟧, those got mixed up yesterday)"),
    ("MRN", "NHS number ⟦943 476 5919|MRN⟧, referred for «two-week wait» «suspected lung cancer», «CT chest» shows 2.3 cm «RUL spiculated nodule»."),
    ("MRN", "Hosp no. ⟦H0098812|MRN⟧ / «Glasgow Coma Scale» 13 (E3V4M6) / «C-collar» on / awaiting «CT C-spine»"),
    ("MRN", "MRN#⟦E-5501-2293|MRN⟧ – «Kawasaki disease» day 6, «IVIG 2 g/kg» given, «aspirin 80 mg/kg/day» → low dose once afebrile, «echo» for «coronary artery aneurysm»."),  # noqa: RUF001 (an en dash, as typed)
    ("MRN", "(MR ⟦88-120-33|MRN⟧) «Guillain-Barré syndrome», «NIF -22», «FVC 1.1 L» falling → «ICU» for monitoring, «IVIG 0.4 g/kg/day x5»."),
    ("MRN", "CHI ⟦0103451234|MRN⟧ — Scottish pt on holiday, needs «dalteparin 5000 units SC daily» and her «levothyroxine», GP in ⟦Inverness|LOCATION⟧ informed."),
    ("MRN", "unit number ⟦U4418820|MRN⟧ for the «nuclear stress test»: «Lexiscan», «reversible inferior defect», «SSS 8»."),
    ("MRN", "two pts named ⟦Maria Garcia|PERSON⟧ on the floor, MRNs ⟦30049811|MRN⟧ and ⟦30049871|MRN⟧ — the one with «Graves' disease» on «methimazole 10 mg daily» is the second. «TRAb» pending."),
    ("MRN", "Epic MRN ⟦E12345678|MRN⟧ / «CPT 93000» / «ICD-10 I48.91» / «ECG» shows «AF with RVR», rate 142, «diltiazem 10 mg IV push»"),
    ("MRN", "mrn ⟦4471902|MRN⟧ pt w/ «Wilson disease», «ceruloplasmin 8», «Kayser-Fleischer rings» on slit lamp, start «trientine»; her neighbour is a Mrs ⟦Wilson|PERSON⟧, unrelated"),
    ("MRN", "Patient ID ⟦PID-0098-331|MRN⟧ → «RSV» positive, «high-flow nasal cannula» 8 L, «SpO2 93%», «bronchiolitis» pathway."),
    ("MRN", "medical record number: ⟦2026-004417|MRN⟧ (new system; legacy MRN ⟦LGH/00/4417|MRN⟧). «lithium 300 mg BID», «lithium level 1.4», «TSH» high."),
    ("MRN", "DX «Pott disease» (spinal TB) — MRN ⟦K8812045|MRN⟧, ⟦Abdirahman Warsame|PERSON⟧, «RIPE therapy», «pyridoxine 50 mg daily»; Mr ⟦Pott|PERSON⟧ in ⟦12|OTHER_ID⟧ is a different pt"),
]

# --- health plan beneficiary numbers -----------------------------------------------------------------
MESSAGES += [
    ("HEALTH_PLAN", "Ins: BCBS, member ID ⟦ZGP884120017|HEALTH_PLAN⟧, group ⟦004471-002|HEALTH_PLAN⟧. «prior auth» for «evolocumab 140 mg SC q2w» denied — appeal w/ «LDL 188» on max-dose «rosuvastatin 40 mg»."),
    ("HEALTH_PLAN", "Medicare MBI ⟦1EG4-TE5-MK73|HEALTH_PLAN⟧ — he qualifies for «cardiac rehab» 36 sessions after the «PCI» to the «LAD»."),
    ("HEALTH_PLAN", "medicaid id ⟦10029384756|HEALTH_PLAN⟧, pt ⟦Destiny Moore|PERSON⟧, needs «transportation benefit» for «prenatal visits», «GDM» on «insulin NPH»."),
    ("HEALTH_PLAN", "Aetna policy # ⟦W148852210|HEALTH_PLAN⟧ — «step therapy» requires «metformin» trial before «tirzepatide», document «A1c 10.2%» and «BMI 41»."),
    ("HEALTH_PLAN", "OHIP ⟦5584-229-117-XK|HEALTH_PLAN⟧ (visiting from Ontario). «renal colic», «CT KUB» 6 mm «ureteral stone», «tamsulosin 0.4 mg daily»."),
    ("HEALTH_PLAN", "Tricare DBN ⟦1234509876|HEALTH_PLAN⟧ / sponsor Sgt. ⟦Marcus Hunter|PERSON⟧ — «PTSD», «prazosin 2 mg qHS» for nightmares, «PCL-5 52»."),
    ("HEALTH_PLAN", "UHC member ⟦998120044-01|HEALTH_PLAN⟧ (the -01 is the dependent suffix) — «ADHD», «methylphenidate ER 27 mg», «Vanderbilt scale» from school pending."),
    ("HEALTH_PLAN", "subscriber ID ⟦XJH 889 201 334|HEALTH_PLAN⟧ (w/ spaces like the card). policyholder ⟦Rose Okafor|PERSON⟧. «polysomnography» approved, «split-night study»."),
    ("HEALTH_PLAN", "Humana ⟦H12345678|HEALTH_PLAN⟧ «Part D» — «apixaban» tier 3, copay high; «warfarin» vs «rivaroxaban» discussion, «CrCl 48»."),
    ("HEALTH_PLAN", "Kaiser health plan # ⟦000012345678|HEALTH_PLAN⟧, transfer from their ⟦Walnut Creek|LOCATION⟧ facility, «STEMI» s/p «primary PCI», «DAPT» with «ticagrelor 90 mg BID»."),
    ("HEALTH_PLAN", "EHIC ⟦80276 00567 89012345678|HEALTH_PLAN⟧ (German tourist), «anaphylaxis» to peanuts, «epinephrine 0.5 mg IM» x1, «observation 6 h», give «EpiPen» script."),
    ("HEALTH_PLAN", "old Medicare card still shows the HICN ⟦523487719A|HEALTH_PLAN⟧ — registration needs the new MBI. «annual wellness visit», «AAA screening» done."),
    ("HEALTH_PLAN", "Cigna ID ⟦CIG-7734-19-A|HEALTH_PLAN⟧ — «MRI» denied for «low back pain» < 6 wks, no red flags; «physical therapy» first, «naproxen 500 mg BID»."),
    ("HEALTH_PLAN", "ambetter plan id ⟦U7012345601|HEALTH_PLAN⟧ pls check if «continuous glucose monitor» is covered for type 2 on basal only — «insulin glargine 22 units qHS»"),
    ("HEALTH_PLAN", "Medi-Cal BIC ⟦91234567A4|HEALTH_PLAN⟧, CIN ⟦95012345B|HEALTH_PLAN⟧ — «hep C» tx, «glecaprevir/pibrentasvir» 8 wks, «FIB-4 1.1»."),
    ("HEALTH_PLAN", "member# ⟦MCD445120987|HEALTH_PLAN⟧ rx group ⟦RXG7741|HEALTH_PLAN⟧ — pharmacy says «nirmatrelvir/ritonavir» needs PA?? it shouldn't, pls call"),
]

# --- account and card numbers ----------------------------------------------------------------------
MESSAGES += [
    ("ACCOUNT", "acct# ⟦55120093|ACCOUNT⟧ — the «MRI lumbar spine w/o contrast» was billed twice, pt ⟦Brooks Vance|PERSON⟧ is upset, can you write an apology + explanation"),
    ("ACCOUNT", "HAR ⟦300118842|ACCOUNT⟧ for the «ED visit» — coding asks if «sepsis» criteria were met: «lactate 4.1», «MAP 58», «norepinephrine» started."),
    ("ACCOUNT", "FIN ⟦2600118842|ACCOUNT⟧ / encounter CSN ⟦1034557712|OTHER_ID⟧ — «observation status», «chest pain rule-out», «HEART score 3»."),
    ("ACCOUNT", "she paid the copay with her visa ending ⟦4421|ACCOUNT⟧ but the «colonoscopy» prep («PEG 3350») was charged separately"),
    ("ACCOUNT", "card on file ⟦4111 1111 1111 1111|ACCOUNT⟧ — pls remove it from the chart note, it got pasted in with the «telehealth» consent for «CBT»."),
    ("ACCOUNT", "refund to IBAN ⟦GB29 NWBK 6016 1331 9268 19|ACCOUNT⟧ (overseas pt, ⟦Imran Qureshi|PERSON⟧), overpaid for the «hernia repair» («Lichtenstein repair»)."),
    ("ACCOUNT", "guarantor account ⟦G-20931|ACCOUNT⟧ is under the mother ⟦Amber Lyle|PERSON⟧; child has «otitis media», «amoxicillin 90 mg/kg/day» divided BID."),
    ("ACCOUNT", "billing account #⟦8812-44019|ACCOUNT⟧ → financial assistance application for the «chemotherapy» («carboplatin AUC 5» + «paclitaxel»)."),
    ("ACCOUNT", "payment plan acct ⟦PP-00445120|ACCOUNT⟧ set up for the «bariatric surgery» («sleeve gastrectomy»), pt ⟦Crystal Banks|PERSON⟧."),
    ("ACCOUNT", "study stipend goes to acct ⟦000123456789|ACCOUNT⟧ (routing on the W-9) — participant has «mild cognitive impairment», «amyloid PET» positive."),
    ("ACCOUNT", "amex ⟦3782 822463 10005|ACCOUNT⟧ for the «cosmetic» «botulinum toxin» — not billable to insurance, «glabellar lines» 20 units"),
    ("ACCOUNT", "HSA acct ⟦HSA-4410-9982|ACCOUNT⟧ — can «hearing aids» be reimbursed? audiogram: «moderate sensorineural hearing loss» bilaterally"),
    ("ACCOUNT", "pharmacy charge account ⟦RX-778120|ACCOUNT⟧ for ⟦Pearl Stone|PERSON⟧, refills of «levothyroxine 50 mcg» and «alendronate 70 mg weekly»."),
    ("ACCOUNT", "mastercard ⟦5555-5555-5555-4444|ACCOUNT⟧ declined for the «Holter» deposit; pt says use the debit card ending ⟦0093|ACCOUNT⟧ instead"),
    ("ACCOUNT", "hospital account ⟦HA 7710 2293|ACCOUNT⟧: «DRG 291» «heart failure and shock», LOS 6 days, «IV diuresis» w/ «furosemide drip»."),
    ("ACCOUNT", "collections letter for acct ⟦CA-90017724|ACCOUNT⟧ went out but the pt (⟦Roberto Ruiz|PERSON⟧) is still inpatient for the «Fournier gangrene», hold it"),
]

# --- certificate and licence numbers -------------------------------------------------------------------
MESSAGES += [
    ("LICENSE", "script: «oxycodone 5 mg PO q6h PRN» #20 for ⟦Hunter Reyes|PERSON⟧, prescriber DEA ⟦AB1234563|LICENSE⟧, «PDMP» checked, «naloxone» co-prescribed."),
    ("LICENSE", "my NPI is ⟦1932618540|LICENSE⟧ — put it on the «home oxygen» CMN, «SpO2 86% on RA» at rest, «2 L NC» continuous."),
    ("LICENSE", "pt's driver's license ⟦TR123456|LICENSE⟧ (OH) was scanned for ID; after the «seizure» he cannot drive for 3 months per state rules, counsel re «levetiracetam 500 mg BID»."),
    ("LICENSE", "CA DL ⟦B4412098|LICENSE⟧ — pt ⟦Alejandro Cruz|PERSON⟧, «syncope» from «complete heart block», now s/p «dual-chamber pacemaker»; driving restriction 1 wk."),
    ("LICENSE", "RN license ⟦RN.298811|LICENSE⟧ expired — ⟦Sterling Pace|PERSON⟧ can't give the «vancomycin» until it's renewed, pls reassign"),
    ("LICENSE", "medical license ⟦35.045221|LICENSE⟧ for the «buprenorphine/naloxone 8/2 mg» prior auth; «COWS 14» at induction."),
    ("LICENSE", "passport no. ⟦561234987|LICENSE⟧ for the «fit to fly» letter: «DVT» on «apixaban 5 mg BID», «compression stockings», ok to fly after 2 wks"),
    ("LICENSE", "UK driving licence ⟦MORGA753116SM9IJ|LICENSE⟧ — DVLA needs to know about the «TIA»; «ABCD2 score 4», «clopidogrel 75 mg» + «aspirin» x21 days."),
    ("LICENSE", "pharmacist ⟦Beatriz Souza|PERSON⟧, RPh lic ⟦RPh-033120|LICENSE⟧, verified the «methotrexate» weekly dosing, «CBC» and «LFTs» ok."),
    ("LICENSE", "state ID ⟦S530-4482-1190|LICENSE⟧ (no DL, he doesn't drive since the «macular degeneration»), «aflibercept» injections q8 wks OD."),
    ("LICENSE", "DEA ⟦XB9876543|LICENSE⟧ listed on the old «buprenorphine» script — the X number isn't needed anymore, use the regular DEA ⟦BB7654321|LICENSE⟧"),
    ("LICENSE", "GMC number ⟦7012345|LICENSE⟧ (Dr ⟦Olamide Bakare|PERSON⟧) signed the «Mental Health Act» section 2, pt with «first-episode psychosis», «olanzapine 5 mg»."),
    ("LICENSE", "nursing licence CNO# ⟦12345678|LICENSE⟧ for ⟦Mélanie Tremblay|PERSON⟧ (agency nurse from Québec) — ok to hang «TPN» and «lipids»."),
    ("LICENSE", "CDL ⟦K220-118-44-903|LICENSE⟧: truck driver w/ «obstructive sleep apnea», «AHI 42», needs «CPAP compliance» report for DOT, «>4 h/night on 70% of nights»."),
    ("LICENSE", "PA license ⟦PA-0011278|LICENSE⟧ and NPI ⟦1457392016|LICENSE⟧ on the order for «CT abdomen/pelvis with contrast», «Cr 1.0», no «contrast allergy»."),
    ("LICENSE", "firearm license ⟦FL-55-0912|LICENSE⟧ mentioned by pt — «suicide risk assessment», «C-SSRS» positive for ideation, lethal means counselling done w/ wife ⟦Dawn|PERSON⟧"),
]

# --- vehicle identifiers and plates ---------------------------------------------------------------
MESSAGES += [
    ("VEHICLE", "security asks: pt's car (VIN ⟦1HGCM82633A004352|VEHICLE⟧) is in the ED drop-off lane, he came in «post-ictal» after a «generalized tonic-clonic seizure». can family move it?"),
    ("VEHICLE", "plate ⟦7ABC123|VEHICLE⟧ — that's the pt who left «AMA» with the «IV catheter» still in, police doing a welfare check at her address ⟦3340 Cleveland Ave|ADDRESS⟧"),
    ("VEHICLE", "valet has his keys, plate ⟦KL-4471|VEHICLE⟧; pt admitted for «alcohol withdrawal», «CIWA-Ar 18», «phenobarbital» protocol"),
    ("VEHICLE", "parking validation for tag ⟦ABC 1234|VEHICLE⟧ pls — daughter of the pt in «hospice» room ⟦612|OTHER_ID⟧, she's been here every day"),
    ("VEHICLE", "UK reg ⟦LV68 KXA|VEHICLE⟧ — pt drove himself in with «chest pain», «troponin I 2.1», «STEMI» equivalent «de Winter T waves», cath lab activated."),
    ("VEHICLE", "her vanity plate is ⟦GRAMMY2|VEHICLE⟧ lol, security found the car running in the garage; she's confused, «glucose 38», «D50» given, «glucagon» at home?"),
    ("VEHICLE", "vin ⟦3fa6p0h73hr123456|VEHICLE⟧ (lower case from the tow form) — «MVC» driver, «seatbelt sign», «FAST exam» positive, to OR for «ex-lap»"),
    ("VEHICLE", "motorcycle plate ⟦22K91|VEHICLE⟧, helmeted rider, «open tibia fracture» «Gustilo IIIA», «cefazolin 2 g IV» + «tetanus»"),
    ("VEHICLE", "Ohio plate ⟦JHT 4419|VEHICLE⟧ on the disabled-parking renewal form; «Parkinson's disease» «Hoehn and Yahr» 3, «freezing of gait» — yes, sign it"),
    ("VEHICLE", "his truck ⟦8XYZ552|VEHICLE⟧ is still in the ED lot since ⟦Saturday 2/28|DATE⟧; pt admitted w/ «rhabdomyolysis», «CK 48000», «LR 200 mL/hr»."),
    ("VEHICLE", "VIN: ⟦WDBRF40J43F123456|VEHICLE⟧, registered to ⟦Dmitri Volkov|PERSON⟧ — «carbon monoxide poisoning» from the garage, «COHb 28%», «hyperbaric oxygen» consult"),
    ("VEHICLE", "German plate ⟦M-AB 1234|VEHICLE⟧ (tourist's rental) — «travel insurance» asks for the «discharge summary»: «appendicitis», «laparoscopic appendectomy» POD 1."),
    ("VEHICLE", "Indian reg no. ⟦MH 12 AB 3456|VEHICLE⟧ on the accident report from ⟦Pune|LOCATION⟧ — pt now here w/ «post-traumatic headache», «MRI brain» normal."),
    ("VEHICLE", "Texas plate ⟦BDF-2291|VEHICLE⟧ — EMS says the driver had a «hypoglycemia» episode at the wheel, «insulin lispro» + «glargine», needs «driving» counselling"),
    ("VEHICLE", "car seat check: family's van VIN ⟦5FNRL6H58NB012345|VEHICLE⟧ on the loaner program form, baby ⟦Summer Nakamura|PERSON⟧ born at «34 weeks», passed the «car seat challenge»."),
    ("VEHICLE", "plate number ⟦FWD 88K|VEHICLE⟧ seen leaving after the «dog bite» — animal control involved; pt got «rabies immune globulin 20 IU/kg» + «rabies vaccine» day 0."),
]

# --- device identifiers and serial numbers ----------------------------------------------------------
MESSAGES += [
    ("DEVICE", "«dual-chamber pacemaker» «MRI-conditional», serial ⟦RNB123456H|DEVICE⟧, «DDD 60», ok for the «MRI brain» with the rep present."),
    ("DEVICE", "ICD serial ⟦PJN338201S|DEVICE⟧ — 2 appropriate «shocks» for «VT» overnight, «amiodarone 150 mg IV» bolus, «EP consult»."),
    ("DEVICE", "insulin pump SN ⟦OM1234-5678|DEVICE⟧ (her «Omnipod 5»), «DKA» protocol: pump off, «insulin drip», «D5 1/2 NS» when glucose < 250"),
    ("DEVICE", "CGM transmitter ID ⟦8GM4Q2|DEVICE⟧ — «Dexcom G6» readings 40 mg/dL off from fingersticks, use «POC glucose» for dosing"),
    ("DEVICE", "UDI on the explant: ⟦(01)00643169007222(17)280630(10)LOT88A21|DEVICE⟧ — «hip arthroplasty» revision for «metallosis», «cobalt level» 12"),
    ("DEVICE", "LVAD «HeartMate 3» serial ⟦MLP-22814|DEVICE⟧, «low flow alarm» x2 today, «LDH 980» → r/o «pump thrombosis»; call the VAD coordinator ⟦Faith Ndlovu|PERSON⟧."),
    ("DEVICE", "cochlear implant serial ⟦CI-632-0045821|DEVICE⟧ — MRI safety: «1.5 T» only with the «head wrap», remove the «sound processor»."),
    ("DEVICE", "infusion pump asset tag ⟦IP-003321|DEVICE⟧ alarmed «air in line» during «heparin drip» — pump sequestered for biomed, incident filed."),
    ("DEVICE", "CPAP SN ⟦23162447891|DEVICE⟧ — compliance download shows 2.1 h/night, «residual AHI 9», «mask leak» high → «mask refit»"),
    ("DEVICE", "hearing aid serial ⟦21A0993312|DEVICE⟧ lost on the unit, pt ⟦Walter Brooks|PERSON⟧ in bed ⟦7|OTHER_ID⟧ — «delirium» worse without it, pls ask EVS"),
    ("DEVICE", "«implantable loop recorder» («LINQ II»), SN ⟦RLA004521H|DEVICE⟧: «cryptogenic stroke» f/u, 3 episodes of «AF» > 6 min → start «apixaban 5 mg BID»"),
    ("DEVICE", "glucometer serial ⟦GX7-220145|DEVICE⟧ failed QC this am, use the backup for the «insulin sliding scale» pts"),
    ("DEVICE", "VNS generator model 106, serial ⟦42918|DEVICE⟧ — «vagus nerve stimulator» for «refractory epilepsy», output 1.75 mA; turn off for the «MRI»?"),
    ("DEVICE", "«spinal cord stimulator» IPG serial ⟦NHG 804512|DEVICE⟧, needs «MRI lumbar spine» — is it conditional? rep says «full-body MRI eligible»"),
    ("DEVICE", "breast implant card: serial ⟦18829341-022|DEVICE⟧, «textured implant» → «BIA-ALCL» screening, «seroma» on US, «CD30» on the aspirate."),
    ("DEVICE", "tele box ⟦TELE-417|DEVICE⟧ is on the wrong pt! ⟦Hope Castillo|PERSON⟧ has ⟦TELE-419|DEVICE⟧, the «VT» run at 03:10 belongs to her, not to bed ⟦5|OTHER_ID⟧ — swap and relabel"),
]

# --- URLs and social media handles -----------------------------------------------------------------
MESSAGES += [
    ("URL", "pt portal link: ⟦https://mychart.sanoweb-health.org/patient/88123/results|URL⟧ — she can't see the «biopsy» result, «IgA nephropathy» («Berger disease»), pls release it"),
    ("URL", "family set up a gofundme, ⟦www.gofundme.com/f/help-dawn-recover|URL⟧, asks if we can share «rehab» progress — «TBI» w/ «Rancho Los Amigos level VI»."),
    ("URL", "the pt posted the «discharge instructions» on ⟦facebook.com/rosie.alvarez.77|URL⟧ incl. our team photo, compliance notified. she's on «rivaroxaban» for the «PE»."),
    ("URL", "staff member's profile ⟦linkedin.com/in/marcus-stone-rn|URL⟧ — he posted a pt's «ECG» with «Brugada pattern», privacy office looped in"),
    ("URL", "her blog ⟦http://livingwithlupus-by-faith.blogspot.com|URL⟧ mentions stopping «hydroxychloroquine 200 mg BID» — ask about «retinal screening» and adherence"),
    ("URL", "teen is posting about «restrictive eating» on ⟦instagram.com/hopeful_hannah_ms|URL⟧, «BMI 15.8», «HR 42», «orthostatic» → admit for «refeeding» protocol, check «phosphorus»"),
    ("URL", "he's ⟦@dr_bill_grant|URL⟧ on X — posted about the «nirmatrelvir» rebound case, with enough detail to identify the pt. pls flag"),
    ("URL", "tiktok ⟦@summer.grant.official|URL⟧ — pt filming in the «ED» again. «functional neurological disorder», «PNES» on «video EEG»."),
    ("URL", "telehealth link for tomorrow: ⟦https://zoom.us/j/93812044711?pwd=Zm9vYmFyYmF6|URL⟧ — «post-op check» after «Mohs surgery» on the nose, «forehead flap»."),
    ("URL", "updates are on ⟦https://www.caringbridge.org/visit/kwamemensah|URL⟧; can u summarize our «BMT» course for them: «day +30», «engraftment» on day +14, «GVHD» grade I skin."),
    ("URL", "she shared her photos at ⟦photos.app.goo.gl/X7hQ9pLm2Rt|URL⟧ — the «malar rash» and «Raynaud's phenomenon» pics from last winter"),
    ("URL", "result link ⟦https://lab.example.com/r?acc=S26-004512&pt=7734521|URL⟧ expires in 24h — «biopsy» shows «adenocarcinoma», «MSI-high»."),
    ("URL", "grandson made a channel ⟦youtube.com/@grandpa_joe_walks|URL⟧ about his «cardiac rehab» after the «TAVR», really sweet, «6-minute walk» 380 m now"),
    ("URL", "the mom posted on ⟦reddit.com/u/throwaway_t1d_mom|URL⟧ asking about «insulin aspart» doses for her son — the details match our pt ⟦Noah Kim|PERSON⟧"),
    ("URL", "referring doc's page ⟦doximity.com/pub/anand-subramaniam-md|URL⟧ — he wants the «Ranson criteria» and «BISAP» for the «pancreatitis» pt, «lipase 2100»."),
    ("URL", "pt's own site ⟦https://www.summerdawnyoga.com/about|URL⟧ says she teaches hot yoga while on «lithium» — counsel about «dehydration» and «lithium toxicity»."),
]

# --- IP addresses ------------------------------------------------------------------------------------
MESSAGES += [
    ("IP_ADDRESS", "portal login for ⟦Ruth Abernathy|PERSON⟧ flagged from ⟦73.12.44.201|IP_ADDRESS⟧ (not her usual), someone viewed the «HIV genotype» result. security ticket open."),
    ("IP_ADDRESS", "the home «remote patient monitoring» hub reports from ⟦2001:db8:85a3::8a2e:370:7334|IP_ADDRESS⟧; readings: «BP 168/92», «weight up 2.1 kg» in 3 days"),
    ("IP_ADDRESS", "pt's «home dialysis» cycler is at ⟦10.22.1.104|IP_ADDRESS⟧ on their wifi, not syncing — «PD» «ultrafiltration» data missing for 4 days."),
    ("IP_ADDRESS", "telehealth dropped 3x, her connection was ⟦203.0.113.45|IP_ADDRESS⟧:8443 per the vendor log. visit re «migraine», «rimegepant 75 mg PRN»."),
    ("IP_ADDRESS", "audit log: chart of ⟦Stanislav Horák|PERSON⟧ opened from ⟦fe80::1ff:fe23:4567:890a|IP_ADDRESS⟧ at 02:14 — «psychiatry» note viewed, break-the-glass"),
    ("IP_ADDRESS", "the «insulin pump» uploader shows client ⟦::ffff:198.51.100.7|IP_ADDRESS⟧ — kid's «time in range 54%», «basal rate» changes suggested"),
    ("IP_ADDRESS", "biomed: «infusion pump» at ⟦192.168.4.17|IP_ADDRESS⟧ dropped off the network during the «insulin infusion» — verify the rate manually"),
    ("IP_ADDRESS", "pt emailed from ⟦172.16.254.1|IP_ADDRESS⟧?? that's internal, she must be in our guest wifi — she's on 5N getting «chemo»"),
    ("IP_ADDRESS", "ip ⟦98.137.11.163|IP_ADDRESS⟧ submitted the «PHQ-9» (score 22, item 9 positive) via the portal — call pt now"),
    ("IP_ADDRESS", "IPv6 ⟦2600:1700:7c40:a1f0::2b|IP_ADDRESS⟧ on the «CGM» cloud share for ⟦Liam O'Connor|PERSON⟧ — follower app alert at 3 am, «glucose 52»"),
    ("IP_ADDRESS", "x-forwarded-for: ⟦45.33.32.156|IP_ADDRESS⟧, ⟦10.0.0.12|IP_ADDRESS⟧ — that request downloaded the «pathology report» for MRN ⟦40991233|MRN⟧"),
    ("IP_ADDRESS", "the «pacemaker» remote monitor at ⟦192.0.2.88|IP_ADDRESS⟧ hasn't transmitted since ⟦Feb 20|DATE⟧ — call pt re «battery ERI»?"),
    ("IP_ADDRESS", "her «smart scale» posts from ⟦100.64.12.9|IP_ADDRESS⟧ (CGNAT, per IT), weight 84.2 → 87.0 kg, «NYHA II» → «furosemide» 40 → 80 mg"),
    ("IP_ADDRESS", "full IPv6 from the VPN log ⟦2a02:c7f:5e0c:1e00:6d1b:2a44:9f3e:12c1|IP_ADDRESS⟧ — matches the UK pt's «video consult» for «COPD exacerbation»"),
    ("IP_ADDRESS", "device ⟦24.56.178.140|IP_ADDRESS⟧ keeps sending duplicate «SpO2» alerts (88%), «home oxygen 2 L» — ask RT to check the «pulse oximeter»."),
    ("IP_ADDRESS", "kiosk check-in logged ⟦10.14.3.201|IP_ADDRESS⟧ for ⟦Yaw Boateng|PERSON⟧, «sickle cell trait», here for «pre-op» labs, «type and screen»."),
]

# --- biometric identifiers -------------------------------------------------------------------------
MESSAGES += [
    ("BIOMETRIC", "registration enrolled her palm vein scan, PatientSecure id ⟦PV-0099-4471|BIOMETRIC⟧, so next visit no ID needed. here for «iron infusion», «ferric carboxymaltose 750 mg IV»."),
    ("BIOMETRIC", "fingerprint template ⟦FPT-88213|BIOMETRIC⟧ is linked to the wrong chart (⟦Faith Ogunleye|PERSON⟧ vs ⟦Faith Ogunlade|PERSON⟧), pls merge-check before the «transfusion»."),
    ("BIOMETRIC", "study eye clinic: retina scan ref ⟦RS-2026-0044|BIOMETRIC⟧ used as the participant key — «diabetic retinopathy» «moderate NPDR», «HbA1c 8.8%»."),
    ("BIOMETRIC", "the refill line's voiceprint ⟦VPE-7712|BIOMETRIC⟧ didn't match, so the «oxycodone» refill was blocked — pt ⟦Gordon Pike|PERSON⟧ is on «chronic opioid therapy», «MME 60»."),
    ("BIOMETRIC", "iris template ⟦IR#5521-B|BIOMETRIC⟧ from the «methadone» clinic dosing station, «methadone 80 mg daily», «QTc 468» last month"),
    ("BIOMETRIC", "face-recognition hash ⟦fg_93ab71c2|BIOMETRIC⟧ from the kiosk got attached to the «telehealth» note, pls strip it — visit was «acne», «isotretinoin» «iPLEDGE»"),
    ("BIOMETRIC", "attached right index fingerprint file ⟦rindex_0412.wsq|BIOMETRIC⟧ (for the state «PDMP» enrolment) — not clinical, remove from the «H&P»"),
    ("BIOMETRIC", "fall-detection study: gait signature id ⟦GS-1120|BIOMETRIC⟧, pt had 3 near-falls, «orthostatic hypotension» «BP 138/80 → 104/66», stop «tamsulosin»"),
    ("BIOMETRIC", "voice sample ⟦voice_sample_0311.wav|BIOMETRIC⟧ recorded for the «ALS» speech study — «ALSFRS-R 38», «riluzole 50 mg BID», «edaravone»."),
    ("BIOMETRIC", "Pyxis hand-geometry id ⟦HG-33018|BIOMETRIC⟧ for nurse ⟦Dawn Ellis|PERSON⟧ failed, override used for «hydromorphone 0.5 mg IV» — pharmacy wants a note"),
    ("BIOMETRIC", "infusion center checks in with finger-vein template ⟦FV-220-0177|BIOMETRIC⟧; she has a «BRCA2» pathogenic variant, «genetic counseling» done, «risk-reducing salpingo-oophorectomy» discussed"),
    ("BIOMETRIC", "retinal scan enrollment ⟦RET-00921|BIOMETRIC⟧ for the secure med room; unrelated — pt in ⟦8|OTHER_ID⟧ needs «timolol 0.5%» drops for «glaucoma»"),
    ("BIOMETRIC", "face template ⟦FT-7781-003|BIOMETRIC⟧ was used to ID the unresponsive pt in trauma bay ⟦3|OTHER_ID⟧ — «opioid overdose», «naloxone drip»."),
    ("BIOMETRIC", "voiceprint hash ⟦a9f3c1e7d2b6|BIOMETRIC⟧ in the call-center record for ⟦Lorraine Baptiste|PERSON⟧ — she called about «metformin»-related «diarrhea», switch to «metformin XR»."),
    ("BIOMETRIC", "ten-print card ⟦TP-118-5520|BIOMETRIC⟧ taken at intake for the «opioid treatment program»; «buprenorphine 16 mg daily», «urine drug screen» positive for «fentanyl»."),
    ("BIOMETRIC", "the «sleep lab» stores a facial landmark file ⟦landmarks_pt4471.npy|BIOMETRIC⟧ for the «CPAP mask» fitting — does that count as PHI? «AHI 28»."),
]

# --- full-face photographs and comparable images -------------------------------------------------------
MESSAGES += [
    ("PHOTO", "photo of patient's face attached: ⟦img_2231.jpg|PHOTO⟧ — r/o «angioedema» vs «facial cellulitis», on «lisinopril 20 mg», stop it, «cetirizine»"),
    ("PHOTO", "pt sent ⟦IMG_20260304_101512.HEIC|PHOTO⟧, a selfie showing «periorbital edema» — «nephrotic syndrome»? «UPCR 6.2 g/g», «albumin 1.9»."),
    ("PHOTO", "uploaded ⟦face_front_mlopez.png|PHOTO⟧ and ⟦face_left_mlopez.png|PHOTO⟧ to the media tab for the «facial nerve palsy» grading — «House-Brackmann IV»"),
    ("PHOTO", "ID photo ⟦pt_photo_4412.jpeg|PHOTO⟧ is of the wrong person (it's his twin brother ⟦Rafael|PERSON⟧) — pls replace before the «blood transfusion»"),
    ("PHOTO", "⟦Screenshot 2026-03-04 at 10.15.22.png|PHOTO⟧ is from the video visit and shows her face + the «ptosis» — «myasthenia gravis»? «ice pack test» positive, «AChR antibodies» sent"),
    ("PHOTO", "pls remove ⟦headshot_okafor.jpg|PHOTO⟧ from the note, I meant to attach the «wound» photo. «stage 3 pressure injury» sacrum, «Braden 12»."),
    ("PHOTO", "tattoo photo ⟦tattoo_left_forearm_jdoe.jpg|PHOTO⟧ used by police to ID the pt; «GCS 6», «intubated», «fentanyl» + «propofol» for sedation"),
    ("PHOTO", "⟦selfie_rash_0311.jpg|PHOTO⟧ — full face, «heliotrope rash» + «Gottron papules» on the hands pic, think «dermatomyositis», check «CK» and «anti-Mi-2»"),
    ("PHOTO", "the derm consult saved ⟦DSC_0192.JPG|PHOTO⟧ (face, «rosacea»), start «ivermectin 1% cream» daily, «metronidazole gel» if not better"),
    ("PHOTO", "mom texted ⟦PXL_20260211_143355123.jpg|PHOTO⟧ showing the baby's face during the episode — «breath-holding spell» vs «seizure», «EEG» outpt"),
    ("PHOTO", "staff ID photo ⟦ID_badge_photo_E22817.png|PHOTO⟧ got pasted into the «incident report», pls redact; employee ⟦E22817|OTHER_ID⟧ was the one exposed to «needlestick»"),
    ("PHOTO", "before/after photos ⟦before_after_bleph_ah.jpg|PHOTO⟧ for the «blepharoplasty» insurance appeal — «visual field test» shows superior loss"),
    ("PHOTO", "⟦WhatsApp Image 2026-03-01 at 09.12.44.jpeg|PHOTO⟧ from the daughter: facial droop this morning → «code stroke», «NIHSS 4», «LKW» unknown so no «thrombolysis»"),
    ("PHOTO", "intake face photo ⟦intake_face_0044.tif|PHOTO⟧ for the unidentified pt in trauma bay ⟦2|OTHER_ID⟧, «subarachnoid hemorrhage» «Hunt and Hess grade 3», «Fisher grade 3»"),
    ("PHOTO", "newborn photo ⟦newborn_elias_face.jpg|PHOTO⟧ for the «dysmorphology» consult — low-set ears, «cleft palate», r/o «22q11.2 deletion» (DiGeorge)"),
    ("PHOTO", "pic of his face from the family's phone (⟦20260301_194522.jpg|PHOTO⟧) — the «facial swelling» after «ACE inhibitor», «icatibant» vs «FFP»"),
]

# --- any other unique identifying number or code ----------------------------------------------------
MESSAGES += [
    ("OTHER_ID", "accession ⟦S26-004512|OTHER_ID⟧: «invasive ductal carcinoma», «grade 2», «ER 95%», «PR 60%», «HER2 1+» → «Oncotype DX» ordered"),
    ("OTHER_ID", "bed ⟦14B|OTHER_ID⟧ needs a «1:1 sitter», «CIWA» 22, «lorazepam 2 mg IV» given x2, consider «phenobarbital»"),
    ("OTHER_ID", "badge ⟦40912|OTHER_ID⟧ (night RN) reported the «medication error»: «insulin regular 10 units» given instead of 1 unit, «glucose 54» → «D50»."),
    ("OTHER_ID", "study id ⟦HF-TRIAL-0192|OTHER_ID⟧, randomised to «finerenone» vs placebo — «K 5.6» at wk 4, study drug held per protocol"),
    ("OTHER_ID", "order #⟦778812|OTHER_ID⟧ for «CT angiography chest» was cancelled by mistake, reorder — «Wells score» 6, «D-dimer 2.3»"),
    ("OTHER_ID", "employee id ⟦E22817|OTHER_ID⟧ — «needlestick» from a «hepatitis C» pos source, baseline «HCV RNA», «HIV» and «hep B» panel drawn"),
    ("OTHER_ID", "rm ⟦412|OTHER_ID⟧ on «contact precautions» for «C. diff», «oral vancomycin 125 mg QID»; the «fidaxomicin» PA is pending"),
    ("OTHER_ID", "rx # ⟦6629104|OTHER_ID⟧ at the outpt pharmacy — «apixaban 5 mg BID» not «2.5 mg», pt is 68 and 82 kg with «Cr 1.1», so 5 mg is right"),
    ("OTHER_ID", "specimen ⟦SP-26-11873|OTHER_ID⟧ hemolyzed, «K 6.8» probably spurious, redraw «BMP» and «CK»"),
    ("OTHER_ID", "claim ⟦CLM-55102-A|OTHER_ID⟧ denied for «echocardiogram» «medical necessity»; dx was «syncope» w/ «systolic murmur 3/6»"),
    ("OTHER_ID", "police case # ⟦26-1133|OTHER_ID⟧ — «SANE exam» done, «emergency contraception» («ulipristal 30 mg») + «HIV PEP» started"),
    ("OTHER_ID", "UNOS id ⟦ABCD123|OTHER_ID⟧ for the «liver transplant» candidate, «MELD-Na 31», «hepatorenal syndrome» on «terlipressin»"),
    ("OTHER_ID", "armband ⟦WB-2210983|OTHER_ID⟧ didn't scan for the «blood culture» draw — 2 pt identifiers used instead (name + DOB ⟦8/19/1971|DATE⟧)"),
    ("OTHER_ID", "unit number ⟦W0368 26 123456|OTHER_ID⟧ (ISBT) — possible «TRALI» after the 2nd «FFP», «SpO2 84%», «CXR» bilateral infiltrates, report to blood bank"),
    ("OTHER_ID", "incident report ⟦IR-2026-0311|OTHER_ID⟧: pt ⟦Mercy Adjei|PERSON⟧ fell in the shower, «Morse fall scale 65», «CT head» neg, on «apixaban»"),
    ("OTHER_ID", "CSN ⟦1029384756|OTHER_ID⟧ / visit ⟦V00928811|OTHER_ID⟧ — the «ABG» («pH 7.21», «pCO2 58», «HCO3 24») belongs to this encounter, not yesterday's"),
]

# --- longer notes carrying many types (main type named first) -----------------------------------------
MESSAGES += [
    ("PERSON", "night handover 4W:\n1) ⟦Parkinson, Harold|PERSON⟧ — yes really, Mr ⟦Parkinson|PERSON⟧ w/ «Parkinson's disease», on «carbidopa/levodopa» q3h, don't miss doses. «aspiration precautions».\n2) ⟦Foley, Nora|PERSON⟧ — «Foley catheter» out at 0600, «bladder scan» if no void by 1200.\n3) bed ⟦22|OTHER_ID⟧ ⟦Ama Owusu-Ansah|PERSON⟧, «DKA» resolving, «anion gap» closed, transition to «insulin glargine 18 units»\n— ⟦mk|PERSON⟧"),
    ("PERSON", "Dr. ⟦Murphy|PERSON⟧ asked me to document: «Murphy's sign» positive, US shows «gallbladder wall thickening» + «pericholecystic fluid», «acute cholecystitis» → «piperacillin-tazobactam 4.5 g IV q6h», surgery consult. pt is ⟦Declan Murphy|PERSON⟧ (no relation to Dr ⟦Murphy|PERSON⟧ lol)"),
    ("PERSON", "hey can u rewrite this more formally: 'saw ⟦li na|PERSON⟧ today, her «Tanner stage 4» breast, menarche at 11, mum (Ms. ⟦Tanner|PERSON⟧, remarried name) worried about «precocious puberty» but it's normal timing'"),
    ("DATE", "DISCHARGE SUMMARY\nPatient: ⟦Ranson, Clifford J.|PERSON⟧   MRN: ⟦00917264|MRN⟧   DOB: ⟦03/14/1951|DATE⟧\nAdmitted: ⟦2026-02-21|DATE⟧   Discharged: ⟦2026-02-26|DATE⟧\nDx: «gallstone pancreatitis», «Ranson criteria» 2 at 48 h, «BISAP 1». «ERCP» with «sphincterotomy» on ⟦2/23|DATE⟧.\nFollow-up: «lap chole» with Dr ⟦Amelia Swan|PERSON⟧ in 2 weeks (⟦3/12|DATE⟧)"),
    ("AGE", "ED sign-out:\n- ⟦91|AGE⟧F «hip fracture», ortho tomorrow, «fascia iliaca block» done\n- «54M» «chest pain», «HEART score 2», d/c w/ f/u\n- a ⟦ninety-four|AGE⟧ year old from ⟦Brookhaven Manor, Gahanna|LOCATION⟧ with «UTI» and «delirium», admit to medicine\n- «19F» «anaphylaxis» resolved, «epinephrine auto-injector» Rx"),
    ("LOCATION", "transfer summary: from ⟦Mount Carmel Grove City|LOCATION⟧ → us. ⟦Ifeoma Chukwu|PERSON⟧, «38 yo», «HELLP syndrome», «plt 62», «AST 410», «magnesium sulfate» running, «betamethasone» dose 1 given. husband ⟦Obinna|PERSON⟧ driving from ⟦Lancaster|LOCATION⟧, cell ⟦740-555-0129|PHONE⟧."),
    ("PHONE", "msg for the attending: ⟦Lachman, Ruth|PERSON⟧ (the pt, not the test!) called from ⟦(614) 555-0116|PHONE⟧ — knee still giving way, «Lachman test» was 2+ with soft endpoint, «ACL» «MRI» scheduled ⟦Fri 3/13|DATE⟧. she asks if «meloxicam 15 mg» is ok with her «lisinopril»."),
    ("ADDRESS", "home health referral\nName: ⟦Hoehn, Gertrude|PERSON⟧ (⟦Trudy|PERSON⟧)\nAddr: ⟦5512 Yahr Blvd, Reynoldsburg OH 43068|ADDRESS⟧\nPh: ⟦614-555-0183|PHONE⟧\nDx: «Parkinson disease», «Hoehn and Yahr» 4, «orthostatic hypotension» on «droxidopa 100 mg TID»\nNeeds: «PT», «OT», «home safety eval»"),
    ("MRN", "«code blue» debrief, rm ⟦5112|OTHER_ID⟧: ⟦Tomás Echeverría|PERSON⟧ (MRN ⟦55014487|MRN⟧), «PEA arrest» → «ROSC» after 2 rounds «epinephrine 1 mg», «H's and T's»: «K 7.2» → «calcium chloride», «insulin/dextrose», «bicarbonate»."),
    ("EMAIL", "From: ⟦Mallampati, Priya|PERSON⟧ <⟦pmallampati@sanoweb.health|EMAIL⟧>\nRe: airway for ⟦Jerome Kernig|PERSON⟧ tmrw\n«Mallampati 2», «thyromental distance» 5 cm, prior «Cormack-Lehane grade 1» with «Macintosh 3» — no «awake fiberoptic» needed."),
    ("HEALTH_PLAN", "Ins verification: ⟦Colles, Patrick|PERSON⟧, DOB ⟦07-Apr-1979|DATE⟧, Anthem ID ⟦YRK551009831|HEALTH_PLAN⟧, grp ⟦200145M002|HEALTH_PLAN⟧ — covers the «ORIF» for the «Colles fracture»? also «Patrick test» (FABER) was positive on the R hip, add «hip XR»."),
    ("DEVICE", "EP lab note: ⟦Kofi Asante|PERSON⟧, «Wolff-Parkinson-White», «accessory pathway ablation» successful. old «ICD» (serial ⟦BWX447120R|DEVICE⟧) left in place; new lead UDI ⟦(01)05414734512312(21)LKB099812|DEVICE⟧. «Holter monitor» x24h post."),
    ("ACCOUNT", "billing q from ⟦Whitney Holter|PERSON⟧ (the pt's name really is ⟦Holter|PERSON⟧): why 2 charges for the «Holter monitor»? acct ⟦71-00428819|ACCOUNT⟧, one was the «event monitor» on ⟦2/11|DATE⟧. pls explain in plain words."),
    ("SSN", "Registration error: ⟦McMurray, Ellen|PERSON⟧ has SSN ⟦602-44-1187|SSN⟧; ⟦McMurray, Helen|PERSON⟧ has ⟦602-44-1178|SSN⟧. ⟦Ellen|PERSON⟧ is the «McMurray test» + pt (ortho), ⟦Helen|PERSON⟧ is here for «CHF». fix before «MRI knee»."),
    ("OTHER_ID", "trauma activation: alias ⟦Trauma Quebec|OTHER_ID⟧, ~30s M, «GCS 7», «FAST positive», «MTP» activated, cooler ⟦C-17|OTHER_ID⟧ to bay ⟦4|OTHER_ID⟧. «TXA 1 g IV», «REBOA» considered."),
    ("LICENSE", "Prescriber: ⟦Grant Apgar|PERSON⟧, MD · NPI ⟦1679576722|LICENSE⟧ · DEA ⟦FA5237184|LICENSE⟧ · Ohio lic ⟦35.118820|LICENSE⟧\nRx: «amoxicillin 875 mg PO BID x10d» for the baby's mother; baby's «Apgar 7 and 9», «Apgar 8 and 9» for twin B"),
    ("URL", "care coordination: ⟦Sunita Rao|PERSON⟧ posts her «CGM» data at ⟦https://share.example-cgm.com/follow/sunita-rao-1987|URL⟧ and on ⟦@t1d_sunita|URL⟧; «time in range 71%», «hypoglycemia» overnight → reduce «insulin degludec» to 14 units"),
    ("VEHICLE", "peds ED: child unrestrained in van ⟦MN 882-KTP|VEHICLE⟧ (per the trooper), «scalp hematoma», «PECARN» high risk → «CT head», mom ⟦Hope Whitfield|PERSON⟧ at bedside, «tetanus» up to date."),
    ("IP_ADDRESS", "security review: logins to ⟦Gleason, Mark|PERSON⟧'s chart from ⟦81.2.69.142|IP_ADDRESS⟧ and ⟦2001:db8::ff00:42:8329|IP_ADDRESS⟧; he's the «Gleason 3+4» prostate pt and a local news anchor. «PSA» results were viewed."),
    ("BIOMETRIC", "research consent: participant ⟦ENR-0041|OTHER_ID⟧, ECG-based biometric template ⟦ECGID-7f3a9c|BIOMETRIC⟧ stored on the study server ⟦10.40.2.15|IP_ADDRESS⟧; the «12-lead ECG» itself shows «LVH» and «QTc 452»."),
    ("PHOTO", "wound clinic: ⟦face_and_neck_burn_0307.jpg|PHOTO⟧ shows her whole face — keep it out of the «tumor board» deck. «partial-thickness burns» 12% TBSA, «Parkland formula» done, «silver sulfadiazine» switched to «Mepilex Ag»."),
    ("FAX", "pls send «pre-op clearance» for ⟦Bell, Winston|PERSON⟧ to the ortho office, fax ⟦(419) 555-0148|FAX⟧: «RCRI 1», «METs > 4», ok to proceed with «TKA», hold «clopidogrel» 5 days."),
    ("DATE", "pls reword for the pt: «Epley maneuver» done today ⟦3/9|DATE⟧; if dizzy again before ⟦March 23|DATE⟧ repeat the home exercises («Brandt-Daroff»), avoid «meclizine» long term. f/u ⟦Thu the 26th|DATE⟧"),
    ("AGE", "geri consult q: ⟦ninety-three|AGE⟧-year-old with «orthostatic hypotension» on «tamsulosin» + «lisinopril» + «trazodone»; «Timed Up and Go 22 s». her daughter (⟦Clementine Wu|PERSON⟧) lives in ⟦Bexley|LOCATION⟧ and visits Sundays"),
]


# --- building the records ----------------------------------------------------------------------------
MARK = re.compile(r"⟦([^⟦⟧«»|]+)\|([A-Z_]+)⟧|«([^⟦⟧«»]+)»")
YEAR_ALONE = re.compile(r"\d{4}")


def parse(marked: str) -> tuple[str, list[dict[str, Any]], list[str]]:
    """The plain text, its PHI spans (offsets computed) and its clinical terms, in order."""
    text, spans, terms, pos = [], [], [], 0
    length = 0
    for match in MARK.finditer(marked):
        before = marked[pos:match.start()]
        text.append(before)
        length += len(before)
        if match.group(1) is not None:
            value, kind = match.group(1), match.group(2)
            assert kind in TYPES, f"unknown type {kind!r} in {marked!r}"
            spans.append({"start": length, "end": length + len(value), "type": kind,
                          "_value": value})
        else:
            value = match.group(3)
            if value not in terms:
                terms.append(value)
        text.append(value)
        length += len(value)
        pos = match.end()
    text.append(marked[pos:])
    plain = "".join(text)
    for stray in "⟦⟧«»":
        assert stray not in plain, f"unbalanced mark {stray!r} in {marked!r}"
    return plain, spans, terms


def check(record_id: str, text: str, spans: list[dict[str, Any]], terms: list[str]) -> None:
    for span in spans:
        start, end, value = span["start"], span["end"], span.pop("_value")
        assert isinstance(start, int) and isinstance(end, int)
        assert text[start:end] == value, (record_id, value)
        assert value == value.strip() and value, (record_id, value)
        if span["type"] == "DATE":
            assert not YEAR_ALONE.fullmatch(value), f"{record_id}: a year alone is not PHI"
        if span["type"] == "AGE" and value.isdigit():
            assert int(value) > 89, f"{record_id}: age {value} is not PHI"
    ordered = sorted((s["start"], s["end"]) for s in spans)
    for (_, end_a), (start_b, _) in pairwise(ordered):
        assert end_a <= start_b, f"{record_id}: overlapping PHI spans"
    for term in terms:
        at = text.find(term)
        assert at >= 0, (record_id, term)
        while at >= 0:  # every occurrence, as the scorer counts them
            for s in spans:
                assert not (at < s["end"] and s["start"] < at + len(term)), \
                    f"{record_id}: clinical term {term!r} overlaps PHI"
            at = text.find(term, at + 1)


def build() -> list[dict[str, Any]]:
    records: list[dict[str, Any]] = []
    numbers: Counter[str] = Counter()
    texts: set[str] = set()
    for main, marked in MESSAGES:
        assert main in TYPES, main
        numbers[main] += 1
        record_id = f"tune-{main.lower()}-{numbers[main]:02d}"
        text, spans, terms = parse(marked)
        assert any(s["type"] == main for s in spans), f"{record_id}: no {main} span"
        assert text not in texts, f"{record_id}: duplicate text"
        texts.add(text)
        check(record_id, text, spans, terms)
        records.append({"id": record_id, "split": "tuning", "text": text, "phi": spans,
                        "clinical_terms": terms})
    return records


def counts(records: list[dict[str, Any]]) -> tuple[Counter[str], Counter[str], int]:
    with_type: Counter[str] = Counter()
    spans: Counter[str] = Counter()
    for record in records:
        kinds = [p["type"] for p in record["phi"]]
        spans.update(kinds)
        with_type.update(set(kinds))
    terms = sum(len(r["clinical_terms"]) for r in records)
    return with_type, spans, terms


def main() -> None:
    records = build()
    with_type, spans, terms = counts(records)
    for kind in TYPES:
        assert with_type[kind] >= MIN_RECORDS_PER_TYPE, f"{kind}: {with_type[kind]} records"
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
