#!/usr/bin/env python3
"""Generates corpus/pii.jsonl: the pii-detector's labelled corpus (issue 14, section 4).

Checksum values (IBAN, payment card, fiscal code) are generated with their real check digits; the near-misses have
their checks broken on purpose. The people are the fixed directory in pii-people.json (read by the tests and the benchmark too).
Run from this folder:  python3 pii.generate.py > pii.jsonl
"""
import json
import random
import string

rng = random.Random(20260314)

# ---- the directory (pii-people.json, shared with the tests and the benchmark) --------------------------------------------------------------
PEOPLE = [(p["id"], p["names"], p["handles"]) for p in json.load(open("pii-people.json", encoding="utf-8"))]

# ---- checksum values -----------------------------------------------------------------------------------------------

def mod97(s):
    r = 0
    for ch in s:
        r = (r * 10 + int(ch)) % 97 if ch.isdigit() else (r * 100 + ord(ch) - 55) % 97
    return r

def digits(n):
    return "".join(rng.choice(string.digits) for _ in range(n))

def upper(n):
    return "".join(rng.choice(string.ascii_uppercase) for _ in range(n))

BBAN = {
    "IT": lambda: upper(1) + digits(10) + digits(12),
    "SM": lambda: upper(1) + digits(10) + digits(12),
    "DE": lambda: digits(18),
    "FR": lambda: digits(10) + digits(11) + digits(2),
    "ES": lambda: digits(20),
    "NL": lambda: rng.choice(["ABNA", "INGB", "RABO", "TRIO"]) + digits(10),
    "BE": lambda: digits(12),
    "AT": lambda: digits(16),
    "GB": lambda: rng.choice(["BARC", "LOYD", "HBUK", "NWBK", "MIDL"]) + digits(14),
    "IE": lambda: rng.choice(["AIBK", "BOFI"]) + digits(14),
    "PT": lambda: digits(21),
    "CH": lambda: digits(17),
    "LU": lambda: digits(16),
}

def iban(country=None):
    country = country or rng.choice(["IT"] * 6 + ["DE", "DE", "FR", "ES", "NL", "BE", "AT", "GB", "GB", "IE", "PT", "CH", "LU", "SM"])
    bban = BBAN[country]()
    check = 98 - mod97(bban + country + "00")
    return f"{country}{check:02d}{bban}"

def fmt_iban(value):
    if rng.random() < 0.55:
        return " ".join(value[i:i + 4] for i in range(0, len(value), 4))
    return value

def bad_iban():
    good = iban()
    check = int(good[2:4])
    wrong = (check + rng.choice([1, 2, 3, 7, 11])) % 100
    return good[:2] + f"{wrong:02d}" + good[4:]

def luhn_digit(partial):
    total = 0
    for i, ch in enumerate(reversed(partial)):
        d = int(ch)
        if i % 2 == 0:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return str((10 - total % 10) % 10)

CARD_BRANDS = [
    ("visa", lambda: "4" + digits(14), 16),
    ("visa", lambda: "4" + digits(14), 16),
    ("mastercard", lambda: str(rng.randint(51, 55)) + digits(13), 16),
    ("mastercard2", lambda: str(rng.randint(2221, 2720)) + digits(11), 16),
    ("amex", lambda: rng.choice(["34", "37"]) + digits(12), 15),
    ("discover", lambda: "6011" + digits(11), 16),
    ("maestro", lambda: rng.choice(["6759", "5018"]) + digits(11), 16),
]

def card():
    brand, make, _ = rng.choice(CARD_BRANDS)
    partial = make()
    return brand, partial + luhn_digit(partial)

def fmt_card(brand, value):
    r = rng.random()
    if brand == "amex":
        return f"{value[:4]} {value[4:10]} {value[10:]}" if r < 0.7 else value
    if r < 0.5:
        return " ".join(value[i:i + 4] for i in range(0, 16, 4))
    if r < 0.75:
        return "-".join(value[i:i + 4] for i in range(0, 16, 4))
    return value

def bad_card():
    _, value = card()
    while len(value) != 16:
        _, value = card()
    wrong = str((int(value[-1]) + rng.randint(1, 9)) % 10)
    return value[:-1] + wrong

ODD = [1, 0, 5, 7, 9, 13, 15, 17, 19, 21, 2, 4, 18, 20, 11, 3, 6, 8, 12, 14, 16, 10, 22, 25, 24, 23]

def cf_check(first15):
    total = 0
    for i, ch in enumerate(first15):
        v = int(ch) if ch.isdigit() else ord(ch) - 65
        total += ODD[v] if i % 2 == 0 else v
    return chr(65 + total % 26)

SURNAMES = ["Rossi", "Russo", "Ferrari", "Esposito", "Bianchi", "Romano", "Colombo", "Ricci", "Marino", "Greco",
            "Bruno", "Gallo", "Conti", "De Luca", "Mancini", "Costa", "Giordano", "Rizzo", "Lombardi", "Moretti",
            "Barbieri", "Fontana", "Santoro", "Mariani", "Rinaldi", "Caruso", "Ferrara", "Galli", "Martini", "Leone"]
FIRST_M = ["Mario", "Luca", "Marco", "Giuseppe", "Andrea", "Francesco", "Alessandro", "Matteo", "Lorenzo", "Davide",
           "Stefano", "Paolo", "Roberto", "Simone", "Fabio"]
FIRST_F = ["Giulia", "Francesca", "Chiara", "Sara", "Valentina", "Elena", "Laura", "Alessia", "Martina", "Federica",
           "Anna", "Silvia", "Paola", "Elisa", "Giorgia"]
TOWNS = ["F205", "H501", "L219", "F839", "A944", "D612", "G273", "L736", "A662", "B157", "C351", "E506", "Z404", "Z114"]

def letters_of(s):
    s = s.upper().replace(" ", "").replace("'", "")
    cons = [c for c in s if c.isalpha() and c not in "AEIOU"]
    vows = [c for c in s if c in "AEIOU"]
    return cons, vows

def surname_code(s):
    cons, vows = letters_of(s)
    return ("".join(cons + vows) + "XXX")[:3]

def name_code(s):
    cons, vows = letters_of(s)
    if len(cons) >= 4:
        return cons[0] + cons[2] + cons[3]
    return ("".join(cons + vows) + "XXX")[:3]

def fiscal_code(omocodia=False):
    female = rng.random() < 0.5
    first = rng.choice(FIRST_F if female else FIRST_M)
    year = rng.randint(1950, 2004)
    month = "ABCDEHLMPRST"[rng.randint(0, 11)]
    day = rng.randint(1, 28) + (40 if female else 0)
    body = surname_code(rng.choice(SURNAMES)) + name_code(first) + f"{year % 100:02d}" + month + f"{day:02d}" + rng.choice(TOWNS)
    if omocodia:
        body = list(body)
        for pos in [14, 13, 12, 10][: rng.randint(1, 2)]:
            body[pos] = "LMNPQRSTUV"[int(body[pos])]
        body = "".join(body)
    return body + cf_check(body)

def not_luhn(n):
    value = digits(n)
    if luhn_digit(value[:-1]) == value[-1]:
        value = value[:-1] + str((int(value[-1]) + 1) % 10)
    return value

def bad_fiscal_code():
    good = fiscal_code()
    wrong = chr(65 + (ord(good[-1]) - 65 + rng.randint(1, 25)) % 26)
    return good[:-1] + wrong

# ---- other values --------------------------------------------------------------------------------------------------

IT_MOBILE = ["320", "328", "329", "333", "335", "338", "339", "340", "342", "345", "347", "348", "349", "366", "380", "388", "392", "393"]

def phone():
    r = rng.random()
    if r < 0.30:
        p = rng.choice(IT_MOBILE); a = str(rng.randint(1, 9)) + digits(2); b = digits(4)
        return rng.choice([f"+39 {p} {a} {b}", f"+39 {p}{a}{b}", f"{p} {a} {b}", f"{p}{a}{b}", f"+39 {p} {a}{b}"])
    if r < 0.50:
        area, rest = rng.choice([("02", 8), ("06", 8), ("011", 7), ("055", 7), ("051", 7), ("041", 7)])
        number = str(rng.randint(2, 8)) + digits(rest - 1)
        half = len(number) // 2
        return rng.choice([f"{area} {number[:half]} {number[half:]}", f"+39 {area} {number}", f"{area}{number}", f"{area} {number}"])
    if r < 0.72:
        p = rng.choice(["7400", "7401", "7411", "7450", "7500", "7510", "7711", "7720", "7800", "7810", "7900", "7920"])
        rest = str(rng.randint(1, 8)) + digits(5)
        return rng.choice([f"+44 {p} {rest}", f"0{p} {rest}", f"+44 (0){p} {rest}"])
    if r < 0.85:
        rest = rng.choice("378") + digits(3) + " " + digits(4)
        return rng.choice([f"+44 20 {rest}", f"020 {rest}"])
    area = rng.choice(["212", "312", "415", "617", "646", "202", "305", "720"])
    ex = str(rng.randint(2, 9)) + str(rng.randint(0, 9)) + str(rng.randint(2, 9))
    line = digits(4)
    return rng.choice([f"+1 {area} {ex} {line}", f"+1 ({area}) {ex}-{line}", f"({area}) {ex}-{line}", f"{area}-{ex}-{line}"])

def ipv4():
    r = rng.random()
    if r < 0.3:
        return f"10.{rng.randint(0, 255)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}"
    if r < 0.55:
        return f"192.168.{rng.randint(0, 255)}.{rng.randint(1, 254)}"
    if r < 0.7:
        return f"172.{rng.randint(16, 31)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}"
    return f"{rng.choice([81, 93, 151, 185, 203, 212])}.{rng.randint(0, 255)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}"

def ipv6():
    h = lambda: format(rng.randint(1, 0xFFFF), "x")
    return rng.choice([
        f"2001:db8:{h()}:{h()}::{h()}",
        f"fe80::{h()}:{h()}:{h()}:{h()}",
        f"2a01:4f8:{h()}:{h()}:{h()}:{h()}:{h()}:{h()}",
        f"2001:db8::{h()}",
    ])

def ip():
    return ipv6() if rng.random() < 0.35 else ipv4()

EMAIL_USERS = ["claims.desk", "sinistri", "m.ferraro", "anna.colombo", "it-change", "onboarding", "l.moretti",
               "peter.hughes", "emma.clarke", "fatturazione", "accounts.payable", "r.galli", "noc", "helpdesk", "d.santoro"]
EMAIL_DOMAINS = ["fornitore-esempio.it", "carrozzeria-moretti.it", "brokerlink-demo.com", "acme-logistics.co.uk",
                 "studio-legale-galli.it", "northwind-demo.com", "peritiassociati.it", "contoso-demo.eu"]

def email():
    return f"{rng.choice(EMAIL_USERS)}@{rng.choice(EMAIL_DOMAINS)}"

def person_mention():
    pid, names, handles = rng.choice(PEOPLE)
    choices = names + handles
    v = rng.choice(choices)
    if v == "Niccolò" and rng.random() < 0.4:
        v = "Niccolo"  # written without the accent
    if v.startswith("U0") and rng.random() < 0.5:
        return f"<@{v}>", v
    return v, v

# ---- templates -----------------------------------------------------------------------------------------------------
# {X} slots: I=iban C=card F=fiscal code P=phone E=email A=ip N=person; labelled. Near-miss slots are filled in place.

EN = {
    "I": [
        "Please refund the excess for claim CLM-2026-{n4} to IBAN {I} by Friday.",
        "The policyholder updated the bank details: new IBAN {I}, effective from the next instalment.",
        "Onboarding checklist: supplier bank account {I} verified against the signed mandate.",
        "Settlement approved; the garage asked for payment to {I} rather than the account on file.",
        "Finance needs the customer's IBAN ({I}) before the SEPA direct debit can be set up.",
        "Can you double-check the beneficiary IBAN {I}? The payment run closes at 16:00.",
        "The broker confirmed the commission account is {I}.",
        "New vendor record for the change freeze window: pay invoices to {I}.",
    ],
    "C": [
        "The customer paid the deductible with card {C}; please void the duplicate charge.",
        "Chargeback received on card {C} for the onboarding fee.",
        "Caller read out the card number {C} on the recorded line, please scrub the transcript.",
        "The rental car was booked on the corporate card {C}, expiry 09/28.",
        "Refund to the original card {C} failed, finance will retry tomorrow.",
        "Do not store card data in tickets: someone pasted {C} into the change request notes.",
        "Billing contact asked us to charge the setup fee to {C} instead of invoicing.",
    ],
    "F": [
        "The claimant's codice fiscale is {F}, please attach it to the claim file.",
        "For the Italian subsidiary the legal representative's tax code is {F}.",
        "KYC step failed: the fiscal code {F} does not match the ID card scan.",
        "Add the driver's fiscal code {F} to the accident report before sending it to the insurer.",
        "The onboarding form lists {F} as the tax code of the account owner.",
        "Beneficiary tax code: {F}. Payment can be released once the receipt is signed.",
    ],
    "P": [
        "Call the claimant back on {P} after 3 pm.",
        "The loss adjuster can be reached at {P} until the end of the week.",
        "Escalation contact for the change window: {P}.",
        "Customer success asked to be called on {P} about the kickoff meeting.",
        "If the rollback fails, phone the on-call engineer on {P}.",
        "The garage's direct line is {P}; they are waiting for the authorisation.",
    ],
    "E": [
        "Please send the signed onboarding pack to {E}.",
        "The claim documents came from {E}; forward them to the adjuster.",
        "CAB minutes should be shared with {E} and the service owner.",
        "Invoice disputes go to {E}, not to the general inbox.",
        "The supplier's contact changed to {E} last week.",
    ],
    "A": [
        "The change touches the load balancer at {A}; schedule it for the maintenance window.",
        "Failed logins came from {A} overnight, the SOC is investigating.",
        "Whitelist {A} on the customer's firewall before the integration test.",
        "The database primary moved to {A} after the failover.",
        "Monitoring lost contact with {A} at 02:14 during the patch.",
    ],
    "N": [
        "{N} approved the claim settlement this morning.",
        "Assigning the onboarding kickoff to {N}.",
        "Can {N} review the rollback plan before CAB?",
        "The process owner asked {N} for an update on the supplier check.",
        "Reminder sent to {N}: the risk assessment is due tomorrow.",
        "{N} reported a block on the data migration step.",
    ],
}

IT = {
    "I": [
        "Si prega di rimborsare la franchigia del sinistro SIN-2026-{n4} sull'IBAN {I} entro venerdì.",
        "L'assicurato ha comunicato il nuovo IBAN {I}, valido dalla prossima rata.",
        "Checklist di onboarding: conto del fornitore {I} verificato con il mandato firmato.",
        "Liquidazione approvata; la carrozzeria chiede il bonifico su {I} invece del conto in anagrafica.",
        "L'amministrazione ha bisogno dell'IBAN del cliente ({I}) per attivare l'addebito SEPA.",
        "Potete ricontrollare l'IBAN del beneficiario {I}? La distinta chiude alle 16:00.",
        "Il broker conferma che il conto per le provvigioni è {I}.",
        "Nuovo fornitore: pagare le fatture sul conto {I}.",
    ],
    "C": [
        "Il cliente ha pagato la franchigia con la carta {C}; annullare l'addebito doppio.",
        "Ricevuto uno storno sulla carta {C} per il canone di attivazione.",
        "Il chiamante ha dettato il numero di carta {C} sulla linea registrata, ripulire la trascrizione.",
        "L'auto sostitutiva è stata prenotata con la carta aziendale {C}, scadenza 09/28.",
        "Il rimborso sulla carta {C} non è andato a buon fine, l'amministrazione riprova domani.",
        "Non inserire dati di carte nei ticket: qualcuno ha incollato {C} nelle note della change.",
        "Il referente amministrativo chiede di addebitare il setup sulla carta {C}.",
    ],
    "F": [
        "Il codice fiscale del danneggiato è {F}, allegarlo alla pratica.",
        "Per la controllata italiana il codice fiscale del legale rappresentante è {F}.",
        "Verifica KYC fallita: il codice fiscale {F} non corrisponde al documento.",
        "Aggiungere il codice fiscale del conducente {F} alla constatazione amichevole.",
        "Nel modulo di onboarding il titolare del conto ha codice fiscale {F}.",
        "C.F. beneficiario: {F}. Il pagamento può partire dopo la firma della quietanza.",
    ],
    "P": [
        "Richiamare il danneggiato al {P} dopo le 15.",
        "Il perito è raggiungibile al numero {P} fino a fine settimana.",
        "Contatto di escalation per la finestra di change: {P}.",
        "Il cliente chiede di essere chiamato al {P} per il kickoff.",
        "Se il rollback fallisce, chiamare il reperibile al {P}.",
        "La linea diretta della carrozzeria è {P}; aspettano l'autorizzazione.",
    ],
    "E": [
        "Inviare il pacchetto di onboarding firmato a {E}.",
        "I documenti del sinistro sono arrivati da {E}; inoltrarli al perito.",
        "Il verbale del CAB va condiviso con {E} e con il service owner.",
        "Le contestazioni sulle fatture vanno a {E}, non alla casella generica.",
        "Il referente del fornitore è cambiato: ora è {E}.",
    ],
    "A": [
        "La change interessa il bilanciatore {A}; pianificarla nella finestra di manutenzione.",
        "Stanotte ci sono stati accessi falliti da {A}, il SOC sta verificando.",
        "Abilitare {A} sul firewall del cliente prima del test di integrazione.",
        "Dopo il failover il database primario è su {A}.",
        "Il monitoraggio ha perso {A} alle 02:14 durante la patch.",
    ],
    "N": [
        "{N} ha approvato la liquidazione stamattina.",
        "Assegno il kickoff di onboarding a {N}.",
        "{N} può rivedere il piano di rollback prima del CAB?",
        "Il process owner ha chiesto a {N} un aggiornamento sulla verifica fornitore.",
        "Promemoria inviato a {N}: la valutazione dei rischi scade domani.",
        "{N} ha segnalato un blocco sulla migrazione dati.",
    ],
}

MIXED_EN = [
    "{N} asked to wire the refund to {I} and confirm by e-mail to {E}.",
    "Caller {N} gave the card {C} and the callback number {P}.",
    "Server {A} sends alerts to {E}; the on-call is {N}.",
    "Tax code {F}, IBAN {I}: the Italian claimant's payment details are complete.",
    "{N} will call the customer on {P} to confirm the IBAN {I}.",
]
MIXED_IT = [
    "{N} chiede di bonificare il rimborso su {I} e di confermare a {E}.",
    "Il chiamante {N} ha fornito la carta {C} e il numero {P}.",
    "Il server {A} manda gli allarmi a {E}; il reperibile è {N}.",
    "Codice fiscale {F}, IBAN {I}: i dati di pagamento del danneggiato sono completi.",
    "{N} chiamerà il cliente al {P} per confermare l'IBAN {I}.",
]

def near_misses_en():
    return [
        f"Customer refers to order {digits(4)}-{digits(4)}-{digits(1)}, please check the shipment.",
        f"Invoice INV-2026-{digits(6)} is overdue by 30 days.",
        f"The change is scheduled for 2026-03-{rng.randint(10, 28)} at {rng.randint(10, 23)}:{rng.choice(['00', '15', '30', '45'])}.",
        f"Claim reported on {rng.randint(10, 28)}/0{rng.randint(1, 9)}/2026, loss estimated at EUR {rng.randint(1, 99)},{digits(3)}.00.",
        f"Upgrade the agent to version {rng.randint(1, 12)}.{rng.randint(0, 9)}.{rng.randint(0, 20)} before the window.",
        f"Ticket INC00{digits(5)} was merged into CHG00{digits(5)}.",
        f"Deal D-{rng.randint(1000, 9999)} moved to closed-won; onboarding starts Monday.",
        f"The card number {fmt_card('visa', bad_card())} was rejected by the gateway as invalid.",
        f"The IBAN {fmt_iban(bad_iban())} in the form has a typo, the bank bounced the transfer.",
        f"The tax code {bad_fiscal_code()} on the form does not pass the check, ask the customer again.",
        f"Ship the replacement laptop to the London office, postcode EC2A {rng.randint(1, 9)}BX.",
        f"Policy POL-{digits(8)} renews on 01/07/2026 with a premium of GBP {rng.randint(1, 9)},{digits(3)}.50.",
        f"Meeting moved to {rng.randint(9, 17)}:{rng.choice(['00', '30'])} tomorrow, room 4.12.",
        f"Build {rng.randint(1, 9)}.{rng.randint(0, 9)}.{rng.randint(0, 99)}.{rng.randint(100, 999)} passed all checks.",
        f"Reference {not_luhn(16)} is the bank's internal transaction id, not a card.",
        f"The claim was reserved at USD {rng.randint(10, 99)},{digits(3)} pending the adjuster's report.",
        f"The rack in aisle {rng.randint(1, 9)} holds {rng.randint(10, 40)} servers; ticket RITM00{digits(5)}.",
        f"Tracking number 1Z{upper(3)}{digits(11)} shows the parcel at the depot.",
    ]

def near_misses_it():
    return [
        f"Il cliente fa riferimento all'ordine {digits(4)}-{digits(4)}-{digits(1)}, verificare la spedizione.",
        f"La fattura n. FT/2026/{digits(5)} risulta scaduta da 30 giorni.",
        f"La change è pianificata per il 2026-03-{rng.randint(10, 28)} alle {rng.randint(10, 23)}:{rng.choice(['00', '15', '30', '45'])}.",
        f"Sinistro denunciato il {rng.randint(10, 28)}/0{rng.randint(1, 9)}/2026, danno stimato in EUR {rng.randint(1, 99)}.{digits(3)},00.",
        f"Aggiornare l'agente alla versione {rng.randint(1, 12)}.{rng.randint(0, 9)}.{rng.randint(0, 20)} prima della finestra.",
        f"Il ticket INC00{digits(5)} è stato unito alla CHG00{digits(5)}.",
        f"Il deal D-{rng.randint(1000, 9999)} è passato a closed-won; l'onboarding parte lunedì.",
        f"Il numero di carta {fmt_card('visa', bad_card())} è stato rifiutato dal gateway.",
        f"L'IBAN {fmt_iban(bad_iban())} nel modulo contiene un errore, la banca ha respinto il bonifico.",
        f"Il codice fiscale {bad_fiscal_code()} nel modulo non supera il controllo, richiederlo al cliente.",
        f"Spedire il portatile alla sede di Milano, CAP 201{digits(2)}.",
        f"La polizza n. {digits(9)} si rinnova il 01/07/2026 con un premio di € {rng.randint(1, 9)}.{digits(3)},50.",
        f"Riunione spostata alle {rng.randint(9, 17)}:{rng.choice(['00', '30'])} di domani, sala 4.12.",
        f"La build {rng.randint(1, 9)}.{rng.randint(0, 9)}.{rng.randint(0, 99)}.{rng.randint(100, 999)} ha passato tutti i controlli.",
        f"Il riferimento {not_luhn(16)} è l'identificativo interno della banca, non una carta.",
        f"Partita IVA del fornitore: {digits(11)}; riserva del sinistro a € {rng.randint(10, 99)}.{digits(3)}.",
        f"Protocollo n. {digits(7)} del {rng.randint(10, 28)}.0{rng.randint(1, 9)}.2026, pratica SIN/2026/{digits(6)}.",
    ]

SLOT_MAKERS = {
    "I": ("Iban", lambda: (lambda v: (fmt_iban(v), None))(iban())),
    "C": ("PaymentCard", lambda: (lambda bv: (fmt_card(*bv), None))(card())),
    "F": ("FiscalCode", lambda: (fiscal_code(omocodia=rng.random() < 0.12), None)),
    "P": ("Phone", lambda: (phone(), None)),
    "E": ("Email", lambda: (email(), None)),
    "A": ("IpAddress", lambda: (ip(), None)),
    "N": ("Person", None),
}

def fill(template):
    text = ""
    entities = []
    i = 0
    while i < len(template):
        if template[i] == "{":
            j = template.index("}", i)
            slot = template[i + 1:j]
            if slot == "n4":
                text += digits(4)
            elif slot == "N":
                written, value = person_mention()
                text += written
                entities.append({"kind": "Person", "value": value})
            else:
                kind, make = SLOT_MAKERS[slot]
                value, _ = make()
                text += value
                entities.append({"kind": kind, "value": value})
            i = j + 1
        else:
            text += template[i]
            i += 1
    return text, entities

# Harder forms written by hand after the first measurement (not tuned against): slashes, 00 prefixes, brackets, ports,
# lower case, possessives.
HARD = [
    ("en", "Please cc <{E}> on the claim correspondence.", None),
    ("it", "Tel. 0039 02 8734 5521, chiedere dell'ufficio sinistri.", ("Phone", "0039 02 8734 5521")),
    ("it", "Cell. 347/1234567 (ore pasti).", ("Phone", "347/1234567")),
    ("en", "The API listens on 10.20.30.40:8443 behind the proxy.", ("IpAddress", "10.20.30.40")),
    ("en", "Open the firewall for 192.168.40.0/24 before go-live.", ("IpAddress", "192.168.40.0")),
    ("en", "sarah's approval is still pending on the CAB item.", ("Person", "sarah")),
    ("it", "niccolo bianchi ha chiuso la pratica ieri sera.", ("Person", "niccolo bianchi")),
    ("en", "Whitfield's team owns the rollback, ask Priya for the runbook.", ("Person", "Whitfield")),
    ("it", "Pratica 0212345678 aperta il 14.03.2026 alle 9.30.", None),
    ("en", "Rollout of 4.2.0 hits 35% of nodes at 14:30:00 UTC, ETA 2026-03-14T15:00:00Z.", None),
]

def main():
    lines = []
    counts = {"I": 22, "C": 22, "F": 22, "P": 22, "E": 14, "A": 14, "N": 18}
    for lang, bank, mixed, near in (("en", EN, MIXED_EN, near_misses_en), ("it", IT, MIXED_IT, near_misses_it)):
        for slot, n in counts.items():
            templates = bank[slot]
            for k in range(n):
                text, entities = fill(templates[k % len(templates)])
                lines.append({"lang": lang, "text": text, "entities": entities})
        for k in range(12):
            text, entities = fill(mixed[k % len(mixed)])
            lines.append({"lang": lang, "text": text, "entities": entities})
        for _ in range(2):
            for text in near():
                lines.append({"lang": lang, "text": text, "entities": []})
    for lang, template, fixed in HARD:
        text, entities = fill(template)
        if fixed:
            entities.append({"kind": fixed[0], "value": fixed[1]})
        if "Priya" in text:
            entities.append({"kind": "Person", "value": "Priya"})
        lines.append({"lang": lang, "text": text, "entities": entities})
    lowered = iban()
    lines.append({"lang": "it", "text": f"iban del cliente: {lowered.lower()} (scritto in minuscolo)", "entities": [{"kind": "Iban", "value": lowered.lower()}]})
    rng.shuffle(lines)
    for line in lines:
        print(json.dumps(line, ensure_ascii=False))

main()
