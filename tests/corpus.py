"""Small feedback corpora the tests write themselves (3 clear themes, known labels)."""

from __future__ import annotations

import random

THEMES = {
    "delivery": [
        "my parcel arrived {n} days late",
        "the courier delivered the package {n} days after the promised date",
        "shipping took {n} days, far too slow",
        "delivery was delayed by {n} days and tracking never updated",
        "the order came {n} days late, the delivery service is unreliable",
        "still waiting for my package after {n} days of shipping",
    ],
    "price": [
        "prices went up by {n} percent, too expensive now",
        "way too expensive, I found it {n} dollars cheaper elsewhere",
        "the price is not worth it, I paid {n} euros more than last year",
        "overpriced compared to other shops, {n} percent higher",
        "I would stay for a loyalty discount, the prices are too high",
        "costs keep rising, {n} dollars for a t-shirt is expensive",
    ],
    "support": [
        "customer support was rude and hung up after {n} minutes",
        "I contacted the help desk {n} times and nobody answered",
        "the support agent was unhelpful and impolite",
        "waited {n} minutes on the phone, the service staff were rude",
        "support ignored my {n} emails about the problem",
        "the hotline operator was dismissive and did not help at all",
    ],
}


def themed_feedback(per_theme: int = 30, seed: int = 7) -> tuple[list[str], list[str]]:
    """``per_theme`` texts per theme and their theme labels, shuffled deterministically."""
    rng = random.Random(seed)
    rows = []
    for theme, templates in THEMES.items():
        for i in range(per_theme):
            text = templates[i % len(templates)].format(n=rng.randint(2, 60))
            rows.append((text, theme))
    rng.shuffle(rows)
    return [t for t, _ in rows], [label for _, label in rows]


# Complaints written for these tests in English, Polish and Russian: three themes, twelve texts
# per theme and language. Each language's texts are written on their own (not translations of
# one list), in the words a customer would use.
MULTILINGUAL = {
    "delivery": {
        "en": [
            "My order was supposed to arrive on Monday and it only showed up the next Friday.",
            "The courier kept postponing, I waited almost two weeks for one small parcel.",
            "Tracking said 'out for delivery' four days in a row and nothing came.",
            "I paid extra for express shipping and the package was still a week late.",
            "Nobody told me the shipment was delayed, I had to chase it myself.",
            "The parcel sat in a warehouse for ten days before anyone moved it.",
            "Delivery is painfully slow, my last three orders were all late.",
            "I needed the shoes for a trip and they arrived after I had already left.",
            "You promise delivery in 2-3 days, in reality it took almost three weeks.",
            "Why does shipping take so long? Other shops deliver the next day.",
            "The driver never turned up in the agreed time slot and rescheduled twice.",
            "The birthday present I ordered was delivered a week after the party.",
        ],
        "pl": [
            "Paczka miała być w środę, a kurier przywiózł ją dopiero po dziewięciu dniach.",
            "Przesyłka przez tydzień krążyła między sortowniami, zanim w ogóle do mnie dotarła.",
            "Zamówiłam sukienkę na wesele, a doszła dzień po weselu.",
            "Status 'w doręczeniu' wisiał od poniedziałku i nikt nic nie przywiózł.",
            "Dostawa trwa u was wieki, trzy ostatnie zamówienia przyszły po terminie.",
            "Zapłaciłem za ekspresową wysyłkę, a paczka i tak spóźniła się o tydzień.",
            "Paczkomat przez pięć dni nie dostał mojej przesyłki.",
            "Kurier dwa razy zmieniał termin i nie przyjechał o umówionej godzinie.",
            "Nikt mnie nie uprzedził, że wysyłka się opóźni, sam musiałem szukać paczki.",
            "Czekam już trzeci tydzień na zamówienie, a numer śledzenia nic nie pokazuje.",
            "Obiecujecie dostawę w 48 godzin, a u mnie trwało to prawie dwa tygodnie.",
            "Prezent dla mamy przyszedł spóźniony, już po jej urodzinach.",
        ],
        "ru": [
            "Заказ обещали привезти во вторник, а курьер приехал только через девять дней.",
            "Посылку три раза возвращали на сортировочный центр, ждала её почти месяц.",
            "Заказывала платье к выпускному, а его доставили уже после выпускного.",
            "Статус «передан в доставку» висит пятый день, а посылки так и нет.",
            "Доставка у вас ужасно медленная, последние три заказа пришли с опозданием.",
            "Оплатил срочную доставку, а посылка всё равно опоздала на неделю.",
            "Пункт выдачи так и не получил мой заказ в обещанный срок.",
            "Курьер дважды переносил доставку и не приехал в оговорённое время.",
            "Никто не предупредил, что отправка задерживается, пришлось самому искать посылку.",
            "Третью неделю жду заказ, трек-номер вообще не отслеживается.",
            "Обещаете доставить за два дня, а у меня всё заняло почти две недели.",
            "Подарок маме на день рождения привезли с опозданием, уже после праздника.",
        ],
    },
    "price": {
        "en": [
            "Prices have gone up three times this year, I can't afford to shop here anymore.",
            "Fifty dollars for a plain cotton T-shirt is ridiculous.",
            "I found the same jacket much cheaper on another website.",
            "Way too expensive for what you get, the quality doesn't justify the price.",
            "I used to buy here every month, now everything costs twice as much.",
            "There are never any discounts for loyal customers, only for new ones.",
            "Your prices are steep compared to the other stores in town.",
            "I would order more often if the prices were reasonable.",
            "Even the sale price is higher than what other shops charge at full price.",
            "Overpriced. I filled my basket and emptied it again when I saw the total.",
            "A loyalty discount would keep me, the current prices are simply too high.",
            "Paying this much for jeans that cost a fraction elsewhere makes no sense.",
        ],
        "pl": [
            "Ceny poszły w górę już trzeci raz w tym roku, przestało mnie być stać na zakupy.",
            "Sto złotych za zwykłą bawełnianą koszulkę to przesada.",
            "Tę samą kurtkę znalazłam w innym sklepie internetowym dużo taniej.",
            "Za drogo jak na taką jakość, cena jest zupełnie nieadekwatna.",
            "Kiedyś kupowałam tu co miesiąc, teraz wszystko kosztuje dwa razy więcej.",
            "Nie ma żadnych rabatów dla stałych klientów, promocje są tylko dla nowych.",
            "Wasze ceny są wysokie w porównaniu z innymi sklepami.",
            "Zamawiałbym częściej, gdyby ceny były rozsądne.",
            "Nawet po obniżce jest drożej niż gdzie indziej w regularnej cenie.",
            "Drogo. Włożyłem trzy rzeczy do koszyka i wszystkie wyjąłem, gdy zobaczyłem sumę.",
            "Karta stałego klienta z rabatem by mnie zatrzymała, bo ceny są za wysokie.",
            "Płacić tyle za dżinsy, które gdzie indziej kosztują połowę, to bez sensu.",
        ],
        "ru": [
            "Цены за этот год поднимали уже три раза, мне больше не по карману у вас покупать.",
            "Три тысячи рублей за обычную хлопковую футболку — это перебор.",
            "Ту же самую куртку нашла в другом интернет-магазине гораздо дешевле.",
            "Слишком дорого для такого качества, цена ничем не оправдана.",
            "Раньше покупала у вас каждый месяц, а теперь всё стоит вдвое дороже.",
            "Никаких скидок для постоянных покупателей, акции только для новых.",
            "Цены у вас кусаются по сравнению с другими магазинами.",
            "Заказывал бы чаще, если бы цены были разумными.",
            "Даже со скидкой выходит дороже, чем в других местах без неё.",
            "Дорого. Положил три вещи в корзину и все убрал, когда увидел итоговую сумму.",
            "Скидочная карта для постоянных клиентов удержала бы меня, цены слишком высокие.",
            "Платить столько за джинсы, которые в другом месте стоят вдвое меньше, нет смысла.",
        ],
    },
    "support": {
        "en": [
            "The customer service agent was rude and hung up on me mid-sentence.",
            "I've emailed support four times about my refund and never got a reply.",
            "The man on the hotline talked down to me as if I were stupid.",
            "Support closed my ticket without solving anything.",
            "I waited forty minutes on hold just to be told to send an email.",
            "Your chat assistant pastes the same useless answer every time.",
            "The staff at the help desk were dismissive and impolite.",
            "Nobody in customer service takes responsibility, they just pass me around.",
            "I asked a simple question and the consultant was sarcastic and unhelpful.",
            "Three weeks and still no answer from your complaints department.",
            "The operator raised her voice at me when I asked about my return.",
            "Customer care is a joke, nobody listens and nobody helps.",
        ],
        "pl": [
            "Konsultantka była niegrzeczna i rozłączyła się w połowie zdania.",
            "Pisałam do obsługi klienta cztery razy w sprawie zwrotu pieniędzy i nikt nie odpisał.",
            "Pan na infolinii traktował mnie z góry, jakbym był głupi.",
            "Obsługa zamknęła moje zgłoszenie, niczego nie rozwiązując.",
            "Czekałam czterdzieści minut na połączenie, żeby usłyszeć, że mam napisać maila.",
            "Czat z obsługą za każdym razem wkleja tę samą bezużyteczną odpowiedź.",
            "Pracownicy biura obsługi byli lekceważący i nieuprzejmi.",
            "W dziale obsługi nikt za nic nie odpowiada, tylko odsyłają mnie od osoby do osoby.",
            "Zadałem proste pytanie, a konsultant odpowiadał złośliwie i w ogóle nie pomógł.",
            "Od trzech tygodni brak odpowiedzi z działu reklamacji.",
            "Operatorka podniosła na mnie głos, kiedy zapytałam o zwrot.",
            "Obsługa klienta to żart, nikt nie słucha i nikt nie pomaga.",
        ],
        "ru": [
            "Оператор была груба и бросила трубку на полуслове.",
            "Четыре раза писала в службу поддержки насчёт возврата денег, ни одного ответа.",
            "Сотрудник горячей линии разговаривал со мной свысока, как с дураком.",
            "Поддержка закрыла мою заявку, так ничего и не решив.",
            "Сорок минут висела на линии, чтобы мне сказали написать на почту.",
            "Чат поддержки каждый раз присылает один и тот же бесполезный шаблон.",
            "Сотрудники службы поддержки вели себя пренебрежительно и невежливо.",
            "В клиентском сервисе никто ни за что не отвечает, меня просто футболят.",
            "Задал простой вопрос, а консультант язвил и ничем не помог.",
            "Три недели жду ответа от отдела претензий.",
            "Оператор повысила на меня голос, когда я спросила про возврат.",
            "Служба поддержки — это издевательство, никто не слушает и никто не помогает.",
        ],
    },
}


def multilingual_feedback(seed: int = 11) -> tuple[list[str], list[str], list[str]]:
    """All :data:`MULTILINGUAL` texts, shuffled deterministically, with theme and language."""
    rows = [
        (text, theme, language)
        for theme, by_language in MULTILINGUAL.items()
        for language, texts in by_language.items()
        for text in texts
    ]
    random.Random(seed).shuffle(rows)
    texts, themes, languages = (list(column) for column in zip(*rows, strict=True))
    return texts, themes, languages


def example_truth(texts: list[str]) -> list[tuple[str | None, str | None]]:
    """(theme, language) of each bundled-example text, read back from the script that wrote
    it (``scripts/make_example.py``); ``(None, None)`` for its noise and spam rows."""
    import importlib.util
    import re
    from pathlib import Path

    path = Path(__file__).resolve().parents[1] / "scripts" / "make_example.py"
    spec = importlib.util.spec_from_file_location("make_example", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    patterns = [
        (re.compile("^" + re.escape(template).replace(re.escape("{n}"), r"\d+") + "$"),
         theme, language)
        for theme, by_language in module.THEMES.items()
        for language in ("en", "pl", "ru")
        for template in by_language[language]
    ]
    truth = []
    for text in texts:
        found = next(((th, la) for p, th, la in patterns if p.match(text)), (None, None))
        truth.append(found)
    return truth
