"""Phrase corpora for the simulator: names, topics, Czech and English transcripts, hostile payloads.

Placeholders ``{order}``, ``{invoice}``, ``{amount}``, ``{date}``, ``{email}``, ``{num}`` are filled
by the generator. Czech phrases use the inflected forms a search must find (objednávka, objednávky,
objednávku, objednávce; faktura, fakturu, faktuře; reklamace, reklamaci).
"""

from __future__ import annotations

# (first, last, group index 0..4); 25 operators, five per group.
OPERATOR_NAMES: tuple[tuple[str, str], ...] = (
    ("Jana", "Nováková"), ("Petr", "Svoboda"), ("Lucie", "Dvořáková"), ("Tomáš", "Černý"),
    ("Kateřina", "Procházková"), ("Jiří", "Kučera"), ("Markéta", "Veselá"), ("Martin", "Horák"),
    ("Tereza", "Němcová"), ("Ondřej", "Marek"), ("Veronika", "Pospíšilová"), ("Jakub", "Hájek"),
    ("Barbora", "Jelínková"), ("Lukáš", "Král"), ("Zuzana", "Růžičková"), ("David", "Beneš"),
    ("Michaela", "Fialová"), ("Pavel", "Sedláček"), ("Eliška", "Doležalová"), ("Filip", "Zeman"),
    ("Emma", "Walker"), ("Adam", "Kolář"), ("Sarah", "Thompson"), ("Radek", "Navrátil"),
    ("Hana", "Čermáková"),
)  # fmt: skip

GROUP_NAMES: tuple[str, ...] = (
    "Zákaznická podpora",
    "Obchod",
    "Reklamace",
    "Technická podpora",
    "English Desk",
)

GUEST_FIRST_CS = (
    "Jan", "Eva", "Josef", "Marie", "Karel", "Alena", "Václav", "Hana", "Miroslav", "Věra",
    "František", "Ludmila", "Zdeněk", "Šárka", "Roman", "Klára", "Štěpán", "Dagmar", "Vojtěch",
    "Žaneta",
)  # fmt: skip
GUEST_LAST_CS = (
    "Novák", "Svobodová", "Novotný", "Dvořák", "Černá", "Procházka", "Kučerová", "Veselý",
    "Horáková", "Němec", "Pokorný", "Marková", "Pospíšil", "Hájková", "Jelínek", "Králová",
    "Růžička", "Benešová", "Fiala", "Sedláčková", "Doležal", "Zemanová", "Kolář", "Navrátilová",
)  # fmt: skip
GUEST_FIRST_EN = ("John", "Emily", "Michael", "Olivia", "James", "Sophie", "Daniel", "Grace")
GUEST_LAST_EN = ("Smith", "Brown", "Taylor", "Wilson", "Evans", "Clarke", "Hughes", "Wright")

# Topic name -> (tag, guest openers, operator answers, guest follow-ups), per language.
TOPICS_CS: dict[str, tuple[str, tuple[str, ...], tuple[str, ...], tuple[str, ...]]] = {
    "objednavka": (
        "objednavka",
        (
            "Dobrý den, kde je moje objednávka {order}?",
            "Chtěla bych zrušit objednávku {order}, jde to ještě?",
            "U objednávky {order} mi chybí jedna položka.",
            "Můžu ještě změnit doručovací adresu u objednávky {order}?",
            "Dobrý den, včera jsem udělal objednávku a nepřišel mi potvrzovací e-mail.",
        ),
        (
            "Dobrý den, podívám se na stav vaší objednávky.",
            "Objednávka {order} byla odeslána {date}, zásilka je na cestě.",
            "V objednávce jsem adresu opravila, děkuji za trpělivost.",
            "K objednávce {order} jsem si poznamenal změnu, sklad ji zpracuje dnes.",
            "Objednávku {order} jsem stornovala, peníze vám vrátíme do 5 pracovních dnů.",
            "Stav objednávky je „Připraveno k odeslání“.",
        ),
        (
            "Číslo objednávky je {order}.",
            "A kdy přesně objednávka dorazí?",
            "Můžete mi poslat potvrzení objednávky znovu?",
            "V objednávce mám ještě jednu otázku ohledně velikosti.",
        ),
    ),
    "faktura": (
        "faktura",
        (
            "Potřebuji fakturu k objednávce {order}.",
            "Na faktuře {invoice} je špatně uvedené IČO.",
            "Faktura {invoice} mi ještě nedorazila, můžete ji poslat znovu?",
            "Dobrý den, můžete mi vystavit fakturu na firmu?",
        ),
        (
            "Fakturu {invoice} vám pošlu e-mailem na {email}.",
            "Opravenou fakturu najdete v příloze.",
            "Na faktuře jsem údaje upravil, nová verze je v zákaznickém účtu.",
            "Faktura je splatná do {date}.",
        ),
        (
            "Fakturační údaje jsou stejné jako minule.",
            "Na faktuře potřebuji mít i číslo objednávky {order}.",
            "Faktury posílejte prosím na {email}.",
        ),
    ),
    "reklamace": (
        "reklamace",
        (
            "Chci reklamovat zboží z objednávky {order}, přišlo poškozené.",
            "Jak dlouho trvá vyřízení reklamace?",
            "Dobrý den, reklamace R-{num} je pořád v řešení?",
            "Výrobek přestal po týdnu fungovat, chci podat reklamaci.",
        ),
        (
            "Reklamaci jsem založila pod číslem R-{num}.",
            "Reklamace bude vyřízena nejpozději do 30 dnů.",
            "Pošlete mi prosím fotku poškození, přiložím ji k reklamaci.",
            "Reklamaci jsme uznali, posíláme nový kus.",
        ),
        (
            "Fotku posílám v příloze.",
            "Potřebuji vrátit peníze, ne výměnu.",
            "Zboží je nepoužité, v původním obalu.",
        ),
    ),
    "doprava": (
        "doprava",
        (
            "Kdy mi přijde zásilka?",
            "Kurýr mě nezastihl doma, co teď?",
            "Dobrý den, můžu si zásilku vyzvednout na výdejním místě?",
        ),
        (
            "Zásilku doručí PPL zítra mezi 8. a 12. hodinou.",
            "Domluvil jsem s dopravcem nové doručení na {date}.",
            "Sledovací číslo zásilky je CZ{num}.",
        ),
        ("Budu doma až odpoledne.", "Dobře, počkám.", "Můžete změnit dopravce?"),
    ),
    "ucet": (
        "ucet",
        (
            "Nemůžu se přihlásit do účtu.",
            "Zapomněl jsem heslo a nechodí mi e-mail pro obnovu.",
            "Jak si změním e-mail v účtu?",
        ),
        (
            "Poslal jsem vám odkaz pro obnovu hesla na {email}.",
            "Účet jsem odblokoval, zkuste se prosím přihlásit znovu.",
            "E-mail změníte v sekci Můj účet → Nastavení.",
        ),
        ("Pořád to nejde.", "Už to funguje, děkuji.", "Používám e-mail {email}."),
    ),
}

TOPICS_EN: dict[str, tuple[str, tuple[str, ...], tuple[str, ...], tuple[str, ...]]] = {
    "order": (
        "objednavka",
        (
            "Hello, where is my order {order}?",
            "I ordered two items yesterday but only received one.",
            "Can I still cancel order {order}?",
            "Hi, I'd like to change the delivery address of my orders.",
        ),
        (
            "Hello, let me check the status of your order.",
            "Order {order} was shipped on {date} and is on its way.",
            "I have cancelled the order, the refund takes up to 5 business days.",
            "Both orders are now updated with the new address.",
        ),
        (
            "The order number is {order}.",
            "When exactly will it arrive?",
            "Thanks, I ordered it again.",
        ),
    ),
    "invoice": (
        "faktura",
        (
            "I need an invoice for order {order}.",
            "The VAT number on invoice {invoice} is wrong.",
            "Could you resend my invoices for last month?",
        ),
        (
            "I'll email invoice {invoice} to {email}.",
            "The corrected invoice is attached.",
            "All invoices are available in your customer account.",
        ),
        ("Please send invoices to {email}.", "The billing details are the same as before."),
    ),
    "refund": (
        "reklamace",
        (
            "The product arrived damaged, I want a refund.",
            "How long does a complaint take to process?",
            "I returned the item two weeks ago and still have no refund.",
        ),
        (
            "I've opened complaint R-{num} for you.",
            "Your refund of {amount} CZK was issued today.",
            "Could you send me a photo of the damage?",
        ),
        ("Photo attached.", "I'd prefer a replacement.", "It is unused, in the original box."),
    ),
    "account": (
        "ucet",
        ("I can't log in to my account.", "I forgot my password.", "How do I change my email?"),
        (
            "I've sent a password reset link to {email}.",
            "Your account is unlocked now, please try again.",
            "You can change it under My account → Settings.",
        ),
        ("Still not working.", "It works now, thanks.", "My email is {email}."),
    ),
}

GENERIC_GUEST_CS = (
    "Ano, přesně tak.",
    "Můžete to prosím zkontrolovat?",
    "A jak dlouho to bude trvat?",
    "Ok.",
    "Můj e-mail je {email}.",
    "Rozumím, děkuji.",
)
GENERIC_OP_CS = (
    "Moment prosím, ověřím to.",
    "Děkuji, už to vidím.",
    "Rozumím.",
    "Omlouvám se za komplikace.",
    "Můžete mi prosím potvrdit e-mail?",
)
GENERIC_GUEST_EN = ("Yes, exactly.", "Could you check, please?", "How long will it take?", "OK.")
GENERIC_OP_EN = ("One moment please, I'm checking.", "Thanks, I can see it now.", "I'm sorry.")

CLOSE_GUEST_CS = (
    "Děkuji, to je vše.",
    "Super, díky moc!",
    "Dobře, děkuji za pomoc.",
    "Díky, nashle.",
)
CLOSE_OP_CS = (
    "Rádo se stalo, přeji hezký den.",
    "Kdybyste cokoli potřebovali, napište nám.",
    "Děkuji za trpělivost, na shledanou.",
)
CLOSE_GUEST_EN = ("Thanks, that's all.", "Great, thank you!", "Bye.")
CLOSE_OP_EN = ("You're welcome, have a nice day.", "Happy to help, goodbye.")

GREET_OP_CS = ("Dobrý den, jmenuji se {op}, jak vám mohu pomoci?", "Dobrý den, tady {op}.")
GREET_OP_EN = ("Hello, this is {op}, how can I help?", "Hi, {op} here.")
GREET_SK = "Dobrý deň, potrebujem pomôcť s objednávkou {order}."

WELCOME_CS = "Vítejte! Operátor se vám bude věnovat za okamžik."
WELCOME_EN = "Welcome! An operator will be with you shortly."
FAREWELL_CS = "Děkujeme za rozhovor. Ohodnoťte nás prosím."
FAREWELL_EN = "Thank you for chatting with us. Please rate us."

BOT_CS = (
    "Dobrý den, jsem virtuální asistent Mluvii Bot. S čím vám mohu pomoci?",
    "Můžete mi prosím napsat číslo objednávky?",
    "Přepojuji vás na operátora, chvilku strpení.",
)
BOT_EN = (
    "Hi, I'm Mluvii Bot, a virtual assistant. How can I help?",
    "Could you tell me your order number?",
    "I'm transferring you to an operator, please hold on.",
)
BOT_DONE_CS = "Rádo se stalo! Pokud budete cokoli potřebovat, napište."
BOT_DONE_EN = "Glad I could help! Write any time."

FORWARD_NOTES = (
    "Zákazník chce řešit reklamaci, předávám.",
    "Dotaz na fakturu, prosím převezměte.",
    "VIP zákazník, pozor na tón.",
    "Customer speaks English only.",
    "",
)
OPERATOR_NOTES = (
    "Zákazník slíbil poslat fotky.",
    "Vrátit peníze po přijetí zboží.",
    "Zavolat zpět zítra dopoledne.",
    "Opakovaný dotaz, zvážit slevu.",
    "Follow up by email.",
)
SESSION_NOTES = (
    "Zákazník volal podruhé kvůli stejné objednávce.",
    "Předáno na sklad, čekáme na odpověď.",
    "Faktura opravena a odeslána.",
    "Reklamace uznána, posláno nové zboží.",
    "Customer asked for a callback in English.",
    "Pozor: zákazník byl nepříjemný.",
)
FEEDBACK_TEXTS = (
    "Rychlé a ochotné jednání, děkuji.",
    "Dlouho jsem čekal ve frontě.",
    "Super!",
    "Operátorka mi nepomohla.",
    "Very helpful, thanks.",
    "",
)
FEEDBACK_RESULTS = ("Vyřešeno", "Nevyřešeno", "Předáno dál", "Informace poskytnuta", "Spam")
TAGS = ("objednavka", "faktura", "reklamace", "doprava", "ucet", "vip", "stiznost", "spam")
BREAK_NAMES = ("Oběd", "Porada", "Školení", "Přestávka")

LANDING_PAGES = (
    "https://www.example-shop.cz/",
    "https://www.example-shop.cz/kosik",
    "https://www.example-shop.cz/objednavky/stav",
    "https://www.example-shop.cz/reklamace",
    "https://www.example-shop.cz/kontakt?utm_source=newsletter",
    "https://www.example-shop.cz/produkty/pracky/p-4512",
    "https://www.example-shop.com/en/help",
    "https://www.example-shop.com/en/orders",
    "https://m.example-shop.cz/muj-ucet",
)
WIDGETS = ("eshop-cz", "eshop-en", "kontakt", "mobilni-aplikace", "reklamace-form")
FILE_NAMES = (
    ("foto_poskozeni.jpg", 412_345),
    ("faktura_2024_0815.pdf", 88_120),
    ("screenshot.png", 1_204_551),
    ("reklamacni_protokol.pdf", 154_002),
    ("invoice-copy.pdf", 61_470),
    ("IMG_2031.HEIC", 2_310_144),
    ("dodaci_list.docx", 23_876),
)

# Hostile payloads, placed in a few sessions so every consumer gets tested against them.
HOSTILE_MESSAGES: tuple[str, ...] = (
    "[bold]red[/] [link=http://evil.example]klik[/link]",
    "clear screen \x1b[2J\x1b[H now",
    "clipboard \x1b]52;c;aGk=\x07 steal",
    "\x1b]8;;http://evil.example\x1b\\innocent link\x1b]8;;\x1b\\",
    "bidi \u202egnp.exe\u202c file",
    "zero\u200bwidth\u200d\ufeffjoiner",
    "NUL byte here:\x00end",
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)> & \"quotes\" 'single'",
    '=HYPERLINK("http://x","y")',
    "+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "tab\there\r\ncarriage return\rback",
)
HOSTILE_NAME = "Robert'); DROP TABLE sessions;--\nSecond line\r\n\x1b[31mRed\x1b[0m"
HOSTILE_FILE = "../../etc/passwd"
LONG_LINE_CHARS = 100_000
LONG_URL_CHARS = 10_000
