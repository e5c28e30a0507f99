"""Build hard_cases.jsonl from hand-written messages with inline marks.

Written by an outside evaluator without reading the redaction rules or the development set.
Marks: ⟦text|TYPE⟧ is a PHI span, «text» is a clinical term that must survive. Offsets are
computed here from the marks, never typed by hand, and every span is checked against the text.
Run: python tests/data/redaction_independent/make_hard_cases.py
"""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path
from typing import Any

OUT = Path(__file__).with_name("hard_cases.jsonl")
TYPES = ("PERSON", "LOCATION", "ADDRESS", "DATE", "AGE", "PHONE", "FAX", "EMAIL", "SSN", "MRN",
         "HEALTH_PLAN", "ACCOUNT", "LICENSE", "VEHICLE", "DEVICE", "URL", "IP_ADDRESS",
         "BIOMETRIC", "PHOTO", "OTHER_ID")
MARK = re.compile(r"⟦(.+?)\|([A-Z_]+)⟧|«(.+?)»", re.S)

# Each group is named after the category it mainly tests; records carry other PHI too.
CASES: dict[str, list[str]] = {
"PERSON": [
    "pt ⟦john smith|PERSON⟧ in bed ⟦4|OTHER_ID⟧, «Hoehn and Yahr stage 3», started «carbidopa-levodopa 25/100 mg TID»",
    "⟦Rose|PERSON⟧ is asking for her «Tylenol 650 mg» again, «pain 7/10», «BP 142/88»",
    "Spoke with ⟦Hope Young|PERSON⟧ (daughter) re «DNR/DNI» status; «GCS 14» this am",
    "⟦Will|PERSON⟧ from pharmacy says «heparin 5000 units sq q8h» is ok with «INR 2.3»",
    "Mr. ⟦Foley|PERSON⟧ pulled his «Foley catheter» overnight, «UA» sent",
    "Referred by Dr. ⟦Parkinson|PERSON⟧ for «Parkinson's disease» workup, «MoCA 24/30»",
    "pt ⟦Mark Graves|PERSON⟧, known «Graves' disease» on «methimazole 10 mg daily», «TSH 0.01»",
    "⟦José Núñez|PERSON⟧ seen for «Colles fracture» L wrist, «ORIF» planned, «NPO after midnight»",
    "⟦Nguyễn Thị Mai|PERSON⟧ ✓ «Apgar 8 and 9», «38+2 weeks», baby feeding well",
    "⟦Siobhán O'Dwyer|PERSON⟧ presents w/ «Bell's palsy» R side, started «prednisone 60 mg daily»",
    "⟦Björk Guðmundsdóttir|PERSON⟧ and ⟦Zoë Parker|PERSON⟧ both in clinic today for «Cushing's syndrome» follow-up",
    "⟦Oluwaseun Adeyemi|PERSON⟧ («HbA1c 9.1%»), increase «metformin 1000 mg BID», «eGFR 48»",
    "患者⟦王芳|PERSON⟧ «Addison's disease», on «hydrocortisone 20 mg AM / 10 mg PM»",
    "⟦William \"Bill\" Page|PERSON⟧ (goes by ⟦Bill|PERSON⟧) «Babinski sign» positive L, «CT head» ordered",
    "-- ⟦jsmith|PERSON⟧ RN: «Lasix 40 mg IV» given, «UOP» 600 mL",
    "attending ⟦dr grant|PERSON⟧ ok'd «Whipple procedure» for Tues, «CA 19-9 412»",
],
"LOCATION": [
    "family driving down from ⟦Springfield|LOCATION⟧ tonight, pt «NSR» on tele, «HR 92»",
    "Transfer from ⟦Mercy Hospital, Cedar Rapids|LOCATION⟧ for «STEMI», «troponin 0.04» → 2.1",
    "lives in ⟦Chula Vista|LOCATION⟧ ⟦91910|LOCATION⟧, «age 67», «COPD GOLD 3»",
    "works at the ⟦Glasgow|LOCATION⟧, Kentucky plant; «Glasgow Coma Scale 14» on arrival",
    "pt from ⟦Paris|LOCATION⟧, Texas w/ «Lyme disease» serology neg, «doxycycline 100 mg BID»",
    "moved to ⟦Brooklyn|LOCATION⟧ ⟦11215|LOCATION⟧ in 2019, «Crohn's disease» on «infliximab 5 mg/kg»",
    "seen at ⟦Lakeview Family Clinic in Oak Park|LOCATION⟧ last month for «Hashimoto's thyroiditis»",
    "lives alone in ⟦Cook County|LOCATION⟧, «fall risk» high, «Morse 55»",
    "ambulance from ⟦Dearborn Heights|LOCATION⟧, «GCS 15», «BP 98/60», «lactate 3.1»",
    "Pt's son in ⟦Santa Fe|LOCATION⟧, wants updates; «Down syndrome» baseline, «Na 134»",
    "d/c to ⟦Sunrise Manor SNF, Henderson|LOCATION⟧ with «Holter monitor» for 48h",
    "zip ⟦02139|LOCATION⟧, «Tdap» given, «ICD-10 E11.65»",
    "outside films from ⟦St. Vincent's in Billings|LOCATION⟧ show «Salter-Harris II» fx",
],
"ADDRESS": [
    "Home: ⟦1422 Maple Ave, Apt 3B, Evanston, IL 60201|ADDRESS⟧. «Alzheimer's disease», «MMSE 18»",
    "pt lives at ⟦88 rue de la Paix|ADDRESS⟧ when in France; «Raynaud's phenomenon» flares",
    "send rx to ⟦250 W 57th St #1200, New York, NY 10107|ADDRESS⟧, «Lipitor 40 mg qhs»",
    "address on file ⟦PO Box 7731, Tucson AZ 85725|ADDRESS⟧ — «Parkinson's disease» pamphlet mailed",
    "new addr: ⟦12 Hope Street|ADDRESS⟧, ⟦Providence|LOCATION⟧. «Sjogren's syndrome», «Schirmer test» 4 mm",
    "found down outside ⟦3300 S Grand Blvd|ADDRESS⟧, «GCS 8», «naloxone 0.4 mg IV» x2",
    "⟦Calle Mayor 5, 3º izq, 28013 Madrid|ADDRESS⟧ (vacation home); «Wilson's disease» on «penicillamine»",
    "home health to visit ⟦4 Parker Lane, Unit 2|ADDRESS⟧ for «PICC line» care, «vancomycin 1.25 g q12h»",
    "mailing address ⟦RR 2 Box 114, Hazard, KY 41701|ADDRESS⟧; «Addison's disease» card issued",
    "EMS picked up at corner of ⟦Elm St and 5th Ave|ADDRESS⟧, «FAST exam» neg",
    "Dtr's place: ⟦77 Willow Ct., Rockville MD 20850|ADDRESS⟧. Pt «s/p CABG x3», «EF 35%»",
    "pt at ⟦Flat 4, 21 Baker Street, London NW1 6XE|ADDRESS⟧ until March, «Guillain-Barré syndrome» recovering",
    "shelter address ⟦1010 Mission St|ADDRESS⟧ ⟦San Francisco|LOCATION⟧, «TB screen» neg, «PPD 0 mm»",
],
"DATE": [
    "f/u ⟦2/18|DATE⟧ in clinic, «HbA1c 7.2» last time, continue «glipizide 5 mg daily»",
    "Adm ⟦18/02/2026|DATE⟧ for «DKA», «pH 7.12», «insulin drip 0.1 units/kg/h»",
    "DOB ⟦04-Mar-1952|DATE⟧, «Hoehn and Yahr stage 2», diagnosed in 2019",
    "surgery ⟦March 3rd|DATE⟧ — «Whipple procedure», hold «aspirin 81 mg» 7 days prior",
    "seen on ⟦the 17th|DATE⟧ by neuro, «EEG» normal, «Keppra 500 mg BID»",
    "next INR check ⟦Tues 3/4|DATE⟧, «warfarin 5 mg» tonight, «INR 2.3»",
    "event ⟦2026-03-04T10:00|DATE⟧: «rapid response», «SpO2 86%» on «4 L NC»",
    "discharged ⟦Jan 5, 2026|DATE⟧, readmitted ⟦1/9/26|DATE⟧ with «CHF exacerbation», «BNP 1840»",
    "pt died ⟦12.11.2025|DATE⟧ at 03:14, «asystole», family at bedside",
    "LMP ⟦Feb 2nd|DATE⟧ so «38+2 weeks» by dates, «GBS neg»",
    "Colonoscopy ⟦5th of June|DATE⟧, «Lynch syndrome» screening q1y",
    "born ⟦7/4|DATE⟧, turns 70 next yr; «Bell's palsy» resolved; seen «in 2019»",
    "last «Pap smear» ⟦Sept '24|DATE⟧, «ASC-US», «HPV neg»",
    "Admitted yesterday, ⟦11/30|DATE⟧ with «Kawasaki disease», «IVIG 2 g/kg»",
],
"AGE": [
    "⟦92yo|AGE⟧ F w/ «Colles fracture», «Tylenol 650 mg q6h PRN»",
    "pt is ⟦ninety-two|AGE⟧ and lives alone, «Morse 65», «BP 142/88»",
    "⟦97 y/o|AGE⟧ M «s/p TAVR», «Holter monitor» shows «AFib» burden 12%",
    "«age 67» husband; wife is ⟦101|AGE⟧ and in «Alzheimer's disease» unit",
    "Centenarian (⟦103 years old|AGE⟧), «hip fracture», «nerve block» by «anesthesia consult»",
    "⟦91-year-old|AGE⟧ woman with «Paget's disease of bone», «ALP 480»",
    "she's in her ⟦late nineties|AGE⟧ per daughter, «DNR», «comfort care»",
    "pt age: ⟦94|AGE⟧. «GCS 14», «Na 128»",
    "⟦ninety-six-year-old|AGE⟧ retired teacher with «Parkinson's disease», «Sinemet 25/100»",
    "Age ⟦90|AGE⟧, «CKD stage 4», «eGFR 22», «Lasix 40 mg IV»",
    "pt (⟦99F|AGE⟧) «pain 3/10», «Braden 14», «q2h turns»",
    "turned ⟦100|AGE⟧ last week!! «BP 128/70», «HR 64»",
    "a ⟦95 yo|AGE⟧ male, «Addison's disease», «hydrocortisone 100 mg IV» stress dose",
],
"PHONE": [
    "call daughter ⟦(312) 555-0147|PHONE⟧ with «CT head» results",
    "pt's cell ⟦555-0199|PHONE⟧, «Holter monitor» return tmrw",
    "reach Dr ⟦Hope|PERSON⟧ at ⟦617.555.0123 ext. 4412|PHONE⟧ re «Cushing's syndrome» labs",
    "wife: ⟦+44 20 7946 0958|PHONE⟧, «Bell's palsy», «valacyclovir 1 g TID»",
    "callback ⟦8675309|PHONE⟧, «INR 2.3», «warfarin 5 mg»",
    "son in Lagos ⟦+234 803 555 0142|PHONE⟧; «sickle cell disease», «hydroxyurea 1000 mg daily»",
    "pager ⟦x4471|PHONE⟧ for «rapid response», «HR 132»",
    "home phone ⟦773-555-0101 x22|PHONE⟧, «COPD», «albuterol 2.5 mg neb q4h PRN»",
    "Tel ⟦0049 30 901820|PHONE⟧ (Berlin family), «Kawasaki disease» f/u «echo»",
    "pt says call ⟦1-800-555-0175|PHONE⟧ to confirm, «Tdap» given",
    "mom's # is ⟦555 0134|PHONE⟧, «Apgar 8 and 9», «bili 12.1»",
    "Contact: ⟦(415)555-0180|PHONE⟧ — «Crohn's disease», «CRP 38»",
    "spoke to PCP office ⟦604-555-0192|PHONE⟧ option 3 re «Lasix 40 mg IV» dose",
],
"FAX": [
    "fax records to ⟦(312) 555-0166|FAX⟧ attn «cardiology», «EF 35%»",
    "F: ⟦617-555-0111|FAX⟧ | «Holter monitor» report attached",
    "Fax ⟦+1 415 555 0133|FAX⟧ the «Whipple procedure» op note",
    "faxed «INR 2.3» to coumadin clinic ⟦555-0155|FAX⟧",
    "fax# ⟦773.555.0122|FAX⟧, «HbA1c 7.9», «metformin 500 mg BID»",
    "please fax ⟦(212)555-0177|FAX⟧ ASAP - «troponin 0.04»",
    "Fax: ⟦020 7946 0321|FAX⟧ (GP surgery) re «Graves' disease»",
    "sent to fax ⟦1-888-555-0109|FAX⟧, «prior auth» for «adalimumab 40 mg q2w»",
    "Ph ⟦404-555-0140|PHONE⟧ / Fax ⟦404-555-0141|FAX⟧, «Bell's palsy» clinic",
    "fax line ⟦x5502|FAX⟧ on 4W for «MAR» copies, «heparin 5000 units sq q8h»",
    "efax ⟦3125550188|FAX⟧ the «Babinski sign» video note",
    "rcvd fax from ⟦+33 1 45 55 01 20|FAX⟧: «Wilson's disease» genetics",
    "fax over the «Glasgow Coma Scale 14» trend to ⟦503 555 0117|FAX⟧",
],
"EMAIL": [
    "pt emailed from ⟦rose.young77@gmail.com|EMAIL⟧ asking about «Lipitor 40 mg»",
    "send «MRI brain» to ⟦dr.parkinson@neuroclinic.org|EMAIL⟧",
    "dtr ⟦hope_grant@yahoo.co.uk|EMAIL⟧ wants «Holter monitor» results",
    "⟦JNUNEZ@MERCY-HEALTH.ORG|EMAIL⟧ ok'd «heparin 5000 units sq q8h»",
    "email ⟦mai.nguyen+clinic@outlook.com|EMAIL⟧ «HbA1c 6.8» result",
    "cc ⟦b.gudmundsdottir@landspitali.is|EMAIL⟧ on «Addison's disease» plan",
    "patient's email: ⟦oluwaseun.adeyemi@proton.me|EMAIL⟧, «sickle cell disease»",
    "fwd to ⟦wang.fang@163.com|EMAIL⟧ — «Cushing's syndrome» dex suppression test",
    "from ⟦will.page@kaiser.org|EMAIL⟧: «Colles fracture» cast check 2 wks",
    "⟦siobhan.odwyer@hse.ie|EMAIL⟧ requests «Bell's palsy» leaflet",
    "pt portal msg from ⟦mark_foley_1948@aol.com|EMAIL⟧: «Foley catheter» leaking",
    "reply to ⟦zoe.parker@student.uni.edu|EMAIL⟧ re «Tdap» and «MMR» titers",
    "contact: ⟦j.smith@hosp.example.net|EMAIL⟧ / «Apgar 8 and 9»",
],
"SSN": [
    "SSN ⟦123-45-6789|SSN⟧ on facesheet, «Medicare» pending, «age 67»",
    "ss# ⟦123 45 6789|SSN⟧, «Lasix 40 mg IV» BID",
    "pt SSN: ⟦123.45.6789|SSN⟧ — «Parkinson's disease»",
    "social ⟦987654321|SSN⟧ verified at registration, «Hoehn and Yahr stage 3»",
    "Social Security No. ⟦078-05-1120|SSN⟧, «Graves' disease»",
    "last 4 of SSN ⟦6789|SSN⟧ confirmed; «INR 2.3»",
    "ssn ⟦219 09 9999|SSN⟧ per dtr, «Bell's palsy»",
    "SS: ⟦457-55-5462|SSN⟧ «Holter monitor» insurance form",
    "patient gave SSN ⟦532.11.0987|SSN⟧ for disability forms, «Colles fracture»",
    "SSN#⟦234567890|SSN⟧ ; «heparin 5000 units sq q8h»",
    "xxx-xx-⟦4321|SSN⟧ on the «prior auth», «adalimumab 40 mg»",
    "wife's SSN ⟦321-54-9876|SSN⟧ (for spouse coverage), «Cushing's syndrome» pt",
    "SSN ⟦111 - 22 - 3333|SSN⟧ typed oddly on form, «Whipple procedure»",
],
"MRN": [
    "MRN ⟦00483920|MRN⟧, «BP 142/88», «HR 92»",
    "mrn: ⟦A1234567|MRN⟧ «Foley catheter» day 3",
    "pt #⟦4839201|MRN⟧ in 6W, «INR 2.3», «warfarin 5 mg»",
    "Med Rec # ⟦2026/004812|MRN⟧ — «Whipple procedure»",
    "⟦MR-778812-B|MRN⟧ «Graves' disease», «RAI uptake» 68%",
    "chart ⟦4471-0923-11|MRN⟧, «Apgar 8 and 9»",
    "pls merge ⟦00912231|MRN⟧ and ⟦00912232|MRN⟧ (same pt), «Addison's disease»",
    "hosp no ⟦H0048213X|MRN⟧ «Colles fracture»",
    "MRN#⟦5520113|MRN⟧ «Tylenol 650 mg q6h PRN»",
    "Unit No: ⟦U 123 456|MRN⟧ «Cushing's syndrome»",
    "patient id ⟦MGH-0087731|MRN⟧, «Holter monitor» placed",
    "medical record number ⟦47-22-19|MRN⟧ «Bell's palsy»",
    "look up mrn ⟦88123|MRN⟧ for «troponin 0.04» trend",
    "NHS number ⟦943 476 5919|MRN⟧, «Babinski sign» upgoing",
],
"HEALTH_PLAN": [
    "Medicare ID ⟦1EG4-TE5-MK73|HEALTH_PLAN⟧, «age 67», «Hoehn and Yahr stage 3»",
    "BCBS member ⟦XYZ123456789|HEALTH_PLAN⟧, prior auth for «Whipple procedure»",
    "insurance id: ⟦W123456789|HEALTH_PLAN⟧ group ⟦00045|HEALTH_PLAN⟧ — «Lipitor 40 mg»",
    "Medicaid # ⟦NY 22-334455|HEALTH_PLAN⟧, «Apgar 8 and 9»",
    "Aetna ⟦M 1234 5678 01|HEALTH_PLAN⟧, «adalimumab 40 mg q2w» for «Crohn's disease»",
    "member no. ⟦UHC-887766554|HEALTH_PLAN⟧ «Holter monitor» coverage",
    "HICN ⟦123456789A|HEALTH_PLAN⟧ (old medicare #), «Parkinson's disease»",
    "policy ⟦POL/2026/77881|HEALTH_PLAN⟧, «Colles fracture» ORIF",
    "subscriber id ⟦H9876543210|HEALTH_PLAN⟧, «Cushing's syndrome»",
    "Tricare DBN ⟦1234567890|HEALTH_PLAN⟧ «INR 2.3»",
    "pt's plan ID ⟦KP-00-4481-22|HEALTH_PLAN⟧, «Bell's palsy»",
    "beneficiary ⟦4TR7-WE2-PL19|HEALTH_PLAN⟧ «heparin 5000 units sq q8h»",
    "EHIC ⟦80276000012345678901|HEALTH_PLAN⟧ (tourist), «Graves' disease»",
],
"ACCOUNT": [
    "acct ⟦448192003|ACCOUNT⟧ billed for «Holter monitor»",
    "visit account ⟦V00123456789|ACCOUNT⟧, «Whipple procedure»",
    "billing acct# ⟦2026-11-004471|ACCOUNT⟧ «Lasix 40 mg IV»",
    "pt paid w/ card ending ⟦4417|ACCOUNT⟧, «Tylenol 650 mg»",
    "HAR ⟦10045678901|ACCOUNT⟧ «Colles fracture»",
    "encounter acct ⟦E-99812-03|ACCOUNT⟧, «Apgar 8 and 9»",
    "CSN ⟦100233445566|ACCOUNT⟧ «troponin 0.04»",
    "IBAN ⟦DE89 3704 0044 0532 0130 00|ACCOUNT⟧ for refund, «Cushing's syndrome» pt",
    "guarantor account ⟦G-553311|ACCOUNT⟧ «INR 2.3»",
    "credit card ⟦4111 1111 1111 1111|ACCOUNT⟧ on file for copay, «Bell's palsy»",
    "fin# FIN ⟦778899001|ACCOUNT⟧ «heparin 5000 units sq q8h»",
    "self-pay acct ⟦SP/00471|ACCOUNT⟧, «Graves' disease»",
    "bank acct ⟦000123456789|ACCOUNT⟧ (routing no. is the bank's) for CHW stipend; «HbA1c 8.4»",
],
"LICENSE": [
    "DEA ⟦AB1234563|LICENSE⟧ on rx for «oxycodone 5 mg q4h PRN»",
    "NPI ⟦1234567893|LICENSE⟧, «Whipple procedure» surgeon",
    "pt's driver's license ⟦D123-4567-8901|LICENSE⟧ scanned; «Bell's palsy»",
    "RN lic# ⟦RN-0987654|LICENSE⟧ cosigned «heparin 5000 units sq q8h»",
    "med licence ⟦MD 45821|LICENSE⟧ (Ontario), «Graves' disease»",
    "DL: ⟦S530-460-75-123-0|LICENSE⟧ — «Parkinson's disease», no driving",
    "dea # ⟦FG9876543|LICENSE⟧ «Lasix 40 mg IV»",
    "state license ⟦A78231|LICENSE⟧ / NPI ⟦1679576722|LICENSE⟧, «Holter monitor» read",
    "death certificate no. ⟦2026-IL-004512|LICENSE⟧, «asystole»",
    "birth cert ⟦BC 1122334|LICENSE⟧, «Apgar 8 and 9»",
    "passport ⟦X12345678|LICENSE⟧ (intl pt), «Cushing's syndrome»",
    "pharmacist lic ⟦RPH.55102|LICENSE⟧ verified «warfarin 5 mg»",
    "CDL ⟦WDL0ALSN123|LICENSE⟧, «Colles fracture»",
],
"VEHICLE": [
    "MVC, car VIN ⟦1HGCM82633A004352|VEHICLE⟧, «GCS 14», «FAST exam» neg",
    "plate ⟦7ABC123|VEHICLE⟧ per police, «Colles fracture» R",
    "pt's truck ⟦IL 44 8812|VEHICLE⟧ towed; «BAC 0.18»",
    "license plate ⟦KDX-4471|VEHICLE⟧ seen leaving, «Glasgow Coma Scale 14»",
    "vin# ⟦5YJSA1E26HF000337|VEHICLE⟧ (tesla) «seat belt sign»",
    "parked in lot B, tag ⟦NY GHT 8812|VEHICLE⟧ «Holter monitor» pickup",
    "motorcycle ⟦MC 99812|VEHICLE⟧, «Salter-Harris II» fx",
    "reg ⟦AB12 CDE|VEHICLE⟧ (UK), «Bell's palsy»",
    "pt drove here in ⟦WBA3A5C50CF256651|VEHICLE⟧, «HR 92»",
    "pt lives in his RV, plate ⟦RVX 2231|VEHICLE⟧, «BP 142/88»",
    "dtr's car plate ⟦8XYZ771|VEHICLE⟧ in ED bay, «Tylenol 650 mg»",
    "police report: vehicle ⟦2T1BURHE0JC123456|VEHICLE⟧, «C-collar» on",
    "pt's scooter ⟦TX 12-3456|VEHICLE⟧ impounded; «Whipple procedure» pt",
],
"DEVICE": [
    "pacer SN ⟦PJN123456S|DEVICE⟧, «Holter monitor» also",
    "ICD serial ⟦RZX 402117|DEVICE⟧ interrogated, «EF 35%»",
    "insulin pump s/n ⟦PAR-7712-3340|DEVICE⟧, «HbA1c 7.2»",
    "implant UDI ⟦(01)00844588003288(17)141120(10)7654321D|DEVICE⟧ «total knee»",
    "CGM transmitter ⟦8G4J2K|DEVICE⟧ replaced, «Dexcom G6»",
    "cochlear implant serial ⟦CI-512-004471|DEVICE⟧, «Usher syndrome»",
    "pump #⟦IVP 20331|DEVICE⟧ alarming, «heparin 5000 units sq q8h»",
    "DBS generator SN: ⟦NNN908812H|DEVICE⟧ «Parkinson's disease»",
    "LVAD ⟦HM3-0044712|DEVICE⟧ «INR 2.3»",
    "hearing aid serial ⟦2251A9087|DEVICE⟧ lost on ward",
    "VP shunt lot ⟦7781234|DEVICE⟧ «Glasgow Coma Scale 14»",
    "Holter ⟦HM-99812|DEVICE⟧ given to pt — «Holter monitor» 48h",
    "breast implant ser# ⟦ALL-330-99128|DEVICE⟧, «BIA-ALCL» screening",
],
"URL": [
    "see ⟦https://www.facebook.com/rose.young.77|URL⟧ — family posted pt photo; «Colles fracture»",
    "pt's blog ⟦www.mydiabetesjourney-jnunez.com|URL⟧ mentions «metformin 1000 mg daily»",
    "portal link ⟦https://mychart.mercy.org/patient/48213|URL⟧, «INR 2.3»",
    "GoFundMe ⟦gofundme.com/f/help-bill-page-heal|URL⟧ «Whipple procedure»",
    "instagram ⟦instagram.com/zoe_parker_xo|URL⟧ «Bell's palsy»",
    "video visit ⟦https://zoom.us/j/98765432101?pwd=abc|URL⟧ «BP 142/88»",
    "pt linkedin ⟦linkedin.com/in/oluwaseun-adeyemi|URL⟧, «sickle cell disease»",
    "results at ⟦http://10.2.3.4/pacs/study/55123|URL⟧ «CT head»",
    "tiktok ⟦tiktok.com/@mai.nguyen.official|URL⟧ «Apgar 8 and 9» baby",
    "twitter ⟦https://x.com/siobhanodw|URL⟧ «Graves' disease»",
    "⟦https://docs.google.com/d/1AbCdEfGh/edit|URL⟧ has pt's med list: «Lipitor 40 mg»",
    "personal site ⟦bjork-gudmunds.is|URL⟧, «Addison's disease»",
    "youtube ⟦youtu.be/dQw4w9WgXcQ|URL⟧ of pt's seizure, «Keppra 500 mg BID»",
],
"IP_ADDRESS": [
    "pt portal login from ⟦192.168.14.22|IP_ADDRESS⟧, «HbA1c 7.2»",
    "telehealth ip ⟦73.21.190.4|IP_ADDRESS⟧ «Bell's palsy»",
    "IPv6 ⟦2001:db8:85a3::8a2e:370:7334|IP_ADDRESS⟧ in audit log, «Cushing's syndrome»",
    "remote monitoring device at ⟦10.0.0.57|IP_ADDRESS⟧, «Holter monitor»",
    "login IP: ⟦fe80::1ff:fe23:4567:890a|IP_ADDRESS⟧ «INR 2.3»",
    "home router ⟦98.137.11.163|IP_ADDRESS⟧ logged for «CPAP» compliance",
    "access from ⟦172.16.254.1|IP_ADDRESS⟧ flagged; «Graves' disease» chart",
    "pump reports from ⟦203.0.113.42|IP_ADDRESS⟧, «insulin pump»",
    "IP ⟦::ffff:192.0.2.128|IP_ADDRESS⟧ «troponin 0.04»",
    "pt's tablet ⟦100.64.12.9|IP_ADDRESS⟧ «Apgar 8 and 9» video",
    "ip addr ⟦8.8.4.4|IP_ADDRESS⟧ (odd) «Lasix 40 mg IV»",
    "device ⟦2600:1700:abcd:1234::2|IP_ADDRESS⟧ «Parkinson's disease» tremor app",
    "seen from ⟦45.33.32.156|IP_ADDRESS⟧, «Whipple procedure» consent signed",
],
"BIOMETRIC": [
    "fingerprint id ⟦FP-0044712|BIOMETRIC⟧ enrolled for pyxis; «heparin 5000 units sq q8h»",
    "voiceprint ⟦VP-22819|BIOMETRIC⟧ used for phone verification, «Bell's palsy»",
    "retina scan ref ⟦RET-9981-A|BIOMETRIC⟧ «diabetic retinopathy»",
    "palm vein id ⟦PV 771203|BIOMETRIC⟧ at registration, «Graves' disease»",
    "biometric template ⟦BIO#55123|BIOMETRIC⟧ «Holter monitor»",
    "iris code ⟦IRIS-00912|BIOMETRIC⟧ «Cushing's syndrome»",
    "thumbprint ⟦TP/2026/0047|BIOMETRIC⟧ for consent (illiterate pt), «Whipple procedure»",
    "face-id enrolment ⟦FACE-7781|BIOMETRIC⟧ «Parkinson's disease»",
    "DNA sample id ⟦DNA-44-1201|BIOMETRIC⟧ «Lynch syndrome»",
    "gait signature ⟦GS_00413|BIOMETRIC⟧ (study), «Hoehn and Yahr stage 3»",
    "fingerprint hash ⟦a9f3c2e1b7|BIOMETRIC⟧ «INR 2.3»",
    "voice sample ⟦VS-20261201-03|BIOMETRIC⟧ «ALS» dysarthria",
    "palm print ⟦PP-8812|BIOMETRIC⟧ «Apgar 8 and 9» newborn id",
],
"PHOTO": [
    "photo ⟦IMG_20260301_1422.jpg|PHOTO⟧ of face uploaded, «Bell's palsy» grading",
    "see ⟦wound_face_0044.png|PHOTO⟧ «Ramsay Hunt syndrome»",
    "clinical photo ⟦PHOTO-77812|PHOTO⟧ «Cushing's syndrome» moon facies",
    "pic ⟦DSC_0912.JPG|PHOTO⟧ in media tab, «Graves' disease» proptosis",
    "full face photo ⟦ID_pic_4471.jpeg|PHOTO⟧ on badge reprint",
    "derm image ⟦derm/2026/face_00123.tif|PHOTO⟧ «rosacea»",
    "selfie ⟦PXL_20261130_081512.jpg|PHOTO⟧ sent by pt, «angioedema»",
    "photo ref ⟦PH#99812|PHOTO⟧ «Down syndrome» facies documented",
    "⟦IMG_4412.HEIC|PHOTO⟧ from mom shows «Kawasaki disease» lips",
    "facial photo ⟦FP_2026_03_04_a.jpg|PHOTO⟧ «Parkinson's disease» hypomimia",
    "media ⟦MEDIA-000771|PHOTO⟧ (face), «Bell's palsy» day 3",
    "pt photo ⟦patient_photo_48213.png|PHOTO⟧ for wristband",
    "upload ⟦WhatsApp Image 2026-03-01 at 10.22.jpeg|PHOTO⟧ «Apgar 8 and 9» baby",
],
"OTHER_ID": [
    "pt in bed ⟦4|OTHER_ID⟧ «Tylenol 650 mg»",
    "moved to room ⟦412B|OTHER_ID⟧, «Foley catheter» d/c'd",
    "accession ⟦S26-004412|OTHER_ID⟧ «Colles fracture» films",
    "study id ⟦PD-TRIAL-0072|OTHER_ID⟧ «Hoehn and Yahr stage 3»",
    "badge #⟦88123|OTHER_ID⟧ signed out «oxycodone 5 mg»",
    "user ⟦jnunez2|OTHER_ID⟧ documented «INR 2.3»",
    "Rm ⟦7-East 14|OTHER_ID⟧, «heparin 5000 units sq q8h»",
    "specimen ⟦SP-2026-33412|OTHER_ID⟧ «troponin 0.04»",
    "login ⟦mpage|OTHER_ID⟧ accessed chart, «Whipple procedure»",
    "ICU-3 bed ⟦12|OTHER_ID⟧ «Glasgow Coma Scale 14»",
    "order # ⟦ORD8812031|OTHER_ID⟧ «Lasix 40 mg IV»",
    "case no ⟦CPS-2026-0417|OTHER_ID⟧ (social work) «Apgar 8 and 9»",
    "rad accession ACC ⟦99812331|OTHER_ID⟧ «CT head»",
    "enrolled as subj ⟦014|OTHER_ID⟧ in trial, «Cushing's syndrome»",
],
}


def build(marked: str) -> tuple[str, list[dict[str, Any]], list[str]]:
    text, phi, terms, pos = [], [], [], 0
    length = 0
    for match in MARK.finditer(marked):
        before = marked[pos:match.start()]
        text.append(before)
        length += len(before)
        value = match.group(1) if match.group(1) is not None else match.group(3)
        if match.group(1) is not None:
            assert match.group(2) in TYPES, match.group(2)
            phi.append({"start": length, "end": length + len(value), "type": match.group(2)})
        else:
            terms.append(value)
        text.append(value)
        length += len(value)
        pos = match.end()
    text.append(marked[pos:])
    full = "".join(text)
    assert "⟦" not in full and "⟧" not in full and "«" not in full and "»" not in full, full
    return full, phi, terms


def main() -> None:
    records: list[dict[str, Any]] = []
    for category, messages in CASES.items():
        assert len(messages) >= 12, category
        for number, marked in enumerate(messages, 1):
            text, phi, terms = build(marked)
            assert any(p["type"] == category for p in phi), marked
            expected = [m.group(1) for m in MARK.finditer(marked) if m.group(1) is not None]
            assert [text[p["start"]:p["end"]] for p in phi] == expected, marked
            for term in terms:
                # no occurrence of a clinical term may overlap PHI: the promises would conflict
                start = text.find(term)
                assert start >= 0, term
                while start >= 0:
                    assert not any(p["start"] < start + len(term) and start < p["end"]
                                   for p in phi), term
                    start = text.find(term, start + 1)
            records.append({"id": f"hard-{category.lower()}-{number:02d}",
                            "split": "independent-hard", "text": text, "phi": phi,
                            "clinical_terms": terms})
    assert len(records) >= 250, len(records)
    assert len({r["id"] for r in records}) == len(records)
    with OUT.open("w") as handle:
        for record in records:
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")
    counts = Counter(p["type"] for r in records for p in r["phi"])
    print(len(records), "records;", dict(sorted(counts.items())))


if __name__ == "__main__":
    main()
