"""Write the bundled example feedback (src/noomarketing/data/example_feedback.csv).

The data is made up by this project: customers of an online clothing shop, each writing a few
reviews about one or two things they care about (their "idea"), with ratings and dates, some
Polish and Russian rows, a little noise (empty, NaN-like, one-word) and spam. Deterministic:
re-running it writes the same file.

    python scripts/make_example.py
"""

from __future__ import annotations

import csv
import random
from datetime import date, timedelta
from pathlib import Path

OUT = Path(__file__).resolve().parents[1] / "src" / "noomarketing" / "data" / "example_feedback.csv"

THEMES: dict[str, dict] = {
    "delivery": {
        "rating": (1, 3),
        "en": [
            "My parcel arrived {n} days late and nobody told me why.",
            "Delivery took {n} days, the courier never called before coming.",
            "Still waiting for my order after {n} days, the tracking number does not work.",
            "The package was left outside in the rain, shipping is a mess.",
            "Shipping is far too slow, I needed the dress for a wedding and it came late.",
            "Courier lost my parcel and the delivery was delayed again.",
            "Order shipped a week after payment, delivery times are unacceptable.",
            "Fast delivery was promised but the parcel came {n} days late.",
        ],
        "pl": [
            "Paczka przyszła {n} dni po terminie, kurier nie zadzwonił.",
            "Dostawa trwała ponad tydzień, numer śledzenia nie działa.",
            "Kurier zgubił moją przesyłkę, dostawa znowu opóźniona.",
        ],
        "ru": [
            "Посылка пришла с опозданием на {n} дней, курьер не позвонил.",
            "Доставка заняла больше недели, трек-номер не работает.",
            "Курьер потерял мою посылку, доставка снова задерживается.",
        ],
    },
    "sizing": {
        "rating": (2, 4),
        "en": [
            "The size chart is wrong, I ordered an M and it fits like an XS.",
            "Runs small, I had to return the jeans for a bigger size.",
            "Sleeves are too long and the waist is too tight, sizing is inconsistent.",
            "Please add real measurements, every size fits differently.",
            "Beautiful dress but the fit is off, too tight across the chest.",
            "I am petite and the trousers are always too long, need petite sizes.",
            "The sizes run large, my usual size was baggy and shapeless.",
            "Exchanged the jacket twice because the size guide is misleading.",
        ],
        "pl": [
            "Tabela rozmiarów jest błędna, M pasuje jak XS.",
            "Spodnie są za małe, musiałam zwrócić i zamówić większy rozmiar.",
            "Rękawy za długie, a talia za ciasna, rozmiary się nie zgadzają.",
        ],
        "ru": [
            "Таблица размеров неверная, M сидит как XS.",
            "Джинсы маломерят, пришлось вернуть и взять размер больше.",
            "Рукава слишком длинные, а талия узкая, размеры не совпадают.",
        ],
    },
    "price": {
        "rating": (2, 4),
        "en": [
            "Prices went up again, I would stay if there were a loyalty discount.",
            "Too expensive compared to other shops, I wait for sales now.",
            "I buy every month, a points card or member discount would keep me here.",
            "Love the clothes but the prices are getting too high for me.",
            "Shipping costs more than the T-shirt, please add free shipping over a minimum.",
            "Give regular customers a voucher, I spend a lot here.",
            "Discount codes never work at checkout, the price stays the same.",
            "Good quality but overpriced, a student discount would help.",
        ],
        "pl": [
            "Ceny znowu wzrosły, zostałabym, gdyby była karta stałego klienta.",
            "Za drogo w porównaniu z innymi sklepami, czekam na wyprzedaże.",
            "Kupuję co miesiąc, rabat dla stałych klientów by mnie zatrzymał.",
        ],
        "ru": [
            "Цены снова выросли, осталась бы, если бы была скидка постоянным клиентам.",
            "Слишком дорого по сравнению с другими магазинами, жду распродаж.",
            "Покупаю каждый месяц, карта лояльности с баллами удержала бы меня.",
        ],
    },
    "support": {
        "rating": (1, 2),
        "en": [
            "Customer service was rude and hung up on me.",
            "I emailed support {n} times about a refund and got no answer.",
            "The support agent was unhelpful and did not solve my problem.",
            "Still no refund for my return after {n} weeks, support ignores me.",
            "Chat support closed my ticket without answering my question.",
            "Nobody at customer service knows anything, very frustrating.",
            "Asked for an exchange and customer support was dismissive and rude.",
            "Refund process is a nightmare, support keeps sending template replies.",
        ],
        "pl": [
            "Obsługa klienta była niemiła i rozłączyła się.",
            "Pisałam do wsparcia {n} razy w sprawie zwrotu pieniędzy i brak odpowiedzi.",
            "Konsultant nie pomógł i zamknął zgłoszenie bez odpowiedzi.",
        ],
        "ru": [
            "Служба поддержки была грубой и бросила трубку.",
            "Писала в поддержку {n} раз насчёт возврата денег, ответа нет.",
            "Оператор не помог и закрыл обращение без ответа.",
        ],
    },
    "quality": {
        "rating": (1, 3),
        "en": [
            "The fabric pilled after two washes, quality has gone down.",
            "Seams came apart after a week, very poor stitching.",
            "The colour faded in the first wash, cheap material.",
            "Zipper broke the second time I wore the jacket.",
            "The sweater shrank and lost its shape after washing.",
            "Thin see-through fabric, not the quality I expected for the price.",
            "Buttons fell off on the first day, the stitching is weak.",
            "Holes appeared in the knit after a month, poor durability.",
        ],
        "pl": [
            "Materiał zmechacił się po dwóch praniach, jakość spadła.",
            "Szwy puściły po tygodniu, bardzo słabe wykonanie.",
            "Kolor wyblakł po pierwszym praniu, tani materiał.",
        ],
        "ru": [
            "Ткань покрылась катышками после двух стирок, качество упало.",
            "Швы разошлись через неделю, очень плохой пошив.",
            "Цвет полинял после первой стирки, дешёвый материал.",
        ],
    },
    "eco": {
        "rating": (4, 5),
        "en": [
            "I love that the cotton is organic, I want my wardrobe to be sustainable.",
            "Please offer a recycling programme for old clothes, I care about the planet.",
            "Great to see recycled packaging, sustainability matters to me.",
            "I choose this brand because it is eco-friendly, keep it up.",
            "Would buy more if you showed the carbon footprint of each item.",
            "Plastic-free packaging and organic fabrics, exactly what I look for.",
            "A repair service for worn clothes would make me a customer for life.",
            "Happy to pay more for ethically made, sustainable clothing.",
        ],
        "pl": [
            "Uwielbiam, że bawełna jest organiczna, chcę mieć ekologiczną szafę.",
            "Proszę o program recyklingu starych ubrań, dbam o planetę.",
            "Ekologiczne opakowania bez plastiku, właśnie tego szukam.",
        ],
        "ru": [
            "Нравится, что хлопок органический, хочу экологичный гардероб.",
            "Сделайте программу переработки старой одежды, я забочусь о планете.",
            "Экологичная упаковка без пластика, именно то, что я ищу.",
        ],
    },
    "style": {
        "rating": (4, 5),
        "en": [
            "I want to look professional at work, please add more office blazers.",
            "Your styling tips helped me build a capsule wardrobe, more outfit ideas please.",
            "Would love a personal stylist service to put outfits together for me.",
            "The new collection is so elegant, I feel confident in these dresses.",
            "More outfit inspiration in the app would help me choose what goes together.",
            "I am building a wardrobe for my new job, matching sets would be great.",
            "Lookbook emails are my favourite, they give me ideas what to wear.",
            "Please add a feature to combine items into complete outfits.",
        ],
        "pl": [
            "Chcę wyglądać profesjonalnie w pracy, dodajcie więcej marynarek.",
            "Porady stylistki pomogły mi stworzyć szafę kapsułową.",
        ],
        "ru": [
            "Хочу выглядеть профессионально на работе, добавьте больше пиджаков.",
            "Советы стилиста помогли мне собрать капсульный гардероб.",
        ],
    },
}

NOISE = ["", "   ", "ok", "👍", "n/a", "..."]
SPAM = [
    "BUY CHEAP FOLLOWERS NOW visit www.best-followers-cheap.example !!!",
    "Earn $500 a day from home, click http://spam.example/earn",
    "Crypto giveaway!!! send 1 BTC get 2 back www.scam.example",
]


def main() -> None:
    rng = random.Random(20261123)
    rows: list[dict] = []
    start = date(2025, 1, 1)
    themes = list(THEMES)
    customer = 0
    while len(rows) < 330:
        customer += 1
        cid = f"C{customer:03d}"
        main_theme = themes[customer % len(themes)]
        second = rng.choice(themes)
        language = rng.choices(["en", "pl", "ru"], weights=[8, 1, 1])[0]
        for _ in range(rng.randint(2, 5)):
            theme = main_theme if rng.random() < 0.8 else second
            text = rng.choice(THEMES[theme][language]).format(n=rng.randint(3, 14))
            low, high = THEMES[theme]["rating"]
            rows.append(
                {
                    "feedback_id": f"F{len(rows) + 1:04d}",
                    "customer_id": cid,
                    "created_at": (start + timedelta(days=rng.randint(0, 600))).isoformat(),
                    "rating": rng.randint(low, high),
                    "channel": rng.choice(["email", "app", "web", "store"]),
                    "text": text,
                }
            )
    # a little noise and spam, as real exports have
    for i, text in enumerate(NOISE + SPAM * 2):
        rows.insert(
            rng.randint(0, len(rows)),
            {
                "feedback_id": f"X{i + 1:03d}",
                "customer_id": f"C{rng.randint(1, customer):03d}" if i % 3 else "",
                "created_at": "not a date" if i == 2 else "2026-03-01",
                "rating": "" if i % 2 else rng.randint(1, 5),
                "channel": "web",
                "text": text,
            },
        )
    OUT.parent.mkdir(parents=True, exist_ok=True)
    with OUT.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    print(f"wrote {len(rows)} rows to {OUT}")


if __name__ == "__main__":
    main()
