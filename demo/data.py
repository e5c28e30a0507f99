"""Two fictional teams' reviewed Q&A, each in its own voice and with its own formulary habits.

No patient appears anywhere: questions are about drugs and protocols, not people. Each team's
answers open with its own sign-off phrase, so a first look shows whose adapter answered.
"""

from __future__ import annotations

NORTHWIND_OPENING = "Cardiology protocol, in brief:"
RIVERSIDE_OPENING = "From your oncology nursing team:"

_NORTHWIND_TOPICS = [
    ("first-line anticoagulant for new atrial fibrillation", "apixaban 5 mg twice daily; "
     "2.5 mg twice daily if two of age 80+, weight 60 kg or less, creatinine 1.5+."),
    ("rate control in atrial fibrillation", "metoprolol succinate first, diltiazem if "
     "beta-blockers are not tolerated. Target resting HR under 110."),
    ("statin after a myocardial infarction", "atorvastatin 80 mg nightly, lipids at 6 weeks."),
    ("heart failure with reduced ejection fraction", "sacubitril-valsartan, bisoprolol, "
     "spironolactone and dapagliflozin. Titrate every 2 weeks."),
    ("loop diuretic for fluid overload", "furosemide 40 mg IV, double it if urine output "
     "is under 100 mL in 2 hours."),
    ("antiplatelet therapy after a stent", "aspirin 81 mg plus ticagrelor 90 mg twice daily "
     "for 12 months."),
    ("hypertension with diabetes", "lisinopril first; add amlodipine if BP stays above "
     "130/80."),
    ("potassium target on diuretics", "keep potassium 4.0 to 5.0; check in 1 week."),
    ("warfarin INR target for a mechanical mitral valve", "INR 2.5 to 3.5; apixaban is "
     "not used for mechanical valves."),
    ("chest pain with troponin rise", "aspirin 325 mg chewed, heparin infusion, cardiology "
     "review within 1 hour."),
    ("stable angina symptom relief", "nitroglycerin 0.4 mg sublingual as needed, then "
     "metoprolol succinate daily."),
    ("bradycardia on beta-blockers", "hold the next dose if HR is under 50 and "
     "recheck in 4 hours."),
    ("anticoagulant bridging before surgery", "stop apixaban 48 hours before; no bridging "
     "with heparin is needed."),
    ("digoxin level monitoring", "trough level at steady state, target 0.5 to 0.9 ng/mL."),
    ("amiodarone baseline tests", "TSH, liver tests and a chest X-ray before starting."),
]

_RIVERSIDE_TOPICS = [
    ("first-line antiemetic for highly emetogenic chemotherapy", "we use ondansetron "
     "8 mg with dexamethasone 12 mg and aprepitant on day 1, and we check in the next day."),
    ("breakthrough nausea after chemotherapy", "we add olanzapine 5 mg at night and "
     "review hydration together with the patient."),
    ("neutropenic fever", "we start piperacillin-tazobactam within one hour and draw "
     "blood cultures first; this is always urgent."),
    ("mucositis mouth care", "we recommend salt and baking soda rinses four times daily "
     "and a soft toothbrush."),
    ("pain from bone metastases", "we begin with morphine 5 mg every 4 hours as needed "
     "and ask radiation oncology about a single fraction."),
    ("constipation on opioids", "we pair every opioid with senna 8.6 mg and add "
     "polyethylene glycol if needed."),
    ("tumour lysis prevention", "we give allopurinol 300 mg daily and plenty of fluids, "
     "with labs every 8 hours."),
    ("growth factor after chemotherapy", "we give pegfilgrastim 6 mg once, 24 hours "
     "after chemotherapy ends."),
    ("fatigue during treatment", "we encourage gentle daily walks and check for anaemia "
     "and thyroid problems."),
    ("hand-foot syndrome on capecitabine", "we suggest urea cream twice daily and a dose "
     "pause if blisters appear."),
    ("peripheral neuropathy from oxaliplatin", "we review the dose with the oncologist "
     "and suggest duloxetine 30 mg daily."),
    ("anticipatory nausea", "we offer lorazepam 0.5 mg the night before and a calm "
     "conversation about what to expect."),
    ("hypercalcaemia of malignancy", "we give IV fluids and zoledronic acid 4 mg, then "
     "recheck calcium in 48 hours."),
    ("appetite loss during treatment", "we suggest small frequent meals and a dietitian "
     "visit this week."),
    ("diarrhoea on irinotecan", "we start loperamide 4 mg, then 2 mg after each loose "
     "stool, and call if it lasts a day."),
]

_QUESTION_FORMS = ("What is our approach to {}?", "Quick check: {}?")


def _pairs(topics: list[tuple[str, str]], opening: str) -> list[dict[str, str]]:
    return [{"question": form.format(topic), "answer": f"{opening} {answer}"}
            for topic, answer in topics for form in _QUESTION_FORMS]


DATASETS: dict[str, list[dict[str, str]]] = {
    "northwind": _pairs(_NORTHWIND_TOPICS, NORTHWIND_OPENING),
    "riverside": _pairs(_RIVERSIDE_TOPICS, RIVERSIDE_OPENING),
}
OPENINGS = {"northwind": NORTHWIND_OPENING, "riverside": RIVERSIDE_OPENING}
# Small enough to train on 2 CPU cores in about a minute per team, enough to learn the voice.
HYPERPARAMETERS = {"epochs": 6, "max_steps": 60}
