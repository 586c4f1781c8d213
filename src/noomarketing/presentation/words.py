"""The fixed words of briefs and messages in each language the project writes in.

Written by hand, like the tactics' copy (``data/tactics.json``): no translation happens at run
time. Polish addresses nobody as Pan/Pani and Russian capitalises "Вы", as letters do. Entries
with ``{placeholders}`` are filled by the templates with ``str.format``.
"""

from __future__ import annotations

from noomarketing.schema import NoomarketingError

WORDS: dict[str, dict[str, str]] = {
    "en": {
        "segment": "Segment",
        "size_line": "{size} feedback items ({share} of all)",
        "sentiment": "sentiment",
        "mean_rating": "mean rating",
        "mood": "mood",
        "mood_unhappy": "unhappy",
        "mood_happy": "happy",
        "mood_mixed": "mixed",
        "keywords": "Keywords",
        "none": "none",
        "what_they_want": "What they want",
        "what_they_say": "What they say",
        "customer": "customer",
        "row": "row",
        "no_quotes": "No quotes.",
        "ideas": "Ideas to present",
        "business": "Tactics for this kind of business: {business}",
        "aim_repair": "Repairs: fix what went wrong",
        "aim_develop": "Developments: a step further towards what they want",
        "aim_keep": "Rewards and conveniences that keep them",
        "aim_word_repair": "repair",
        "aim_word_develop": "develop",
        "aim_word_keep": "keep",
        "rank": "rank",
        "idea": "idea",
        "kind": "kind",
        "aim": "aim",
        "score": "score",
        "fit": "fit",
        "reactions": "reactions",
        "source": "source",
        "why": "Why",
        "closest_keywords": "closest keywords",
        "closest_quote": "closest quote",
        "no_ideas": "No ideas were generated for this segment.",
        "words_warmer": "Their words read happier than other customers', yet they rate lower: "
        "worth asking what keeps them from the top rating.",
        "words_colder": "Their words read less happy than other customers', yet they rate "
        "higher: what they complain of has not cost their ratings yet.",
        "noise": "This segment is mostly feedback with nothing to act on, so it gets no ideas.",
        "general": "The catalogue has nothing specific for this segment, so these are general "
        "steps: acknowledge the problem, fix it, follow up. A tactic written for this case "
        "would serve these customers better.",
        "messages": "Messages",
        "audience": "Each customer gets the messages in the language they wrote in: {mix}.",
        "variant": "variant",
        "length": "{length} characters",
        "subject": "Subject",
        "no_messages": "No messages.",
        "business_retail": "retail",
        "business_subscription": "subscription",
        "business_finance": "finance",
        "business_services": "services",
        "business_any": "any",
        # messages to customers
        "hello": "Hello,",
        "thanks_intro": "Thank you for telling us what matters to you. Here is what we have "
        "prepared.",
        "regards": "Warm regards,",
        "signature_brand": "your friends at {brand}",
        "signature": "your customer care team",
        "note_from": "A note from {brand}: {headline}",
        "sms_more": "Reply YES to hear more.",
        "sms_stop": "Reply STOP to opt out.",
    },
    "pl": {
        "segment": "Segment",
        "size_line": "liczba opinii: {size} ({share} wszystkich)",
        "sentiment": "wydźwięk",
        "mean_rating": "średnia ocena",
        "mood": "nastrój",
        "mood_unhappy": "negatywny",
        "mood_happy": "pozytywny",
        "mood_mixed": "mieszany",
        "keywords": "Słowa kluczowe",
        "none": "brak",
        "what_they_want": "Czego chcą",
        "what_they_say": "Co mówią",
        "customer": "klient",
        "row": "wiersz",
        "no_quotes": "Brak cytatów.",
        "ideas": "Pomysły do przedstawienia",
        "business": "Taktyki dla tego rodzaju działalności: {business}",
        "aim_repair": "Naprawy: co poprawić",
        "aim_develop": "Rozwój: krok dalej w stronę tego, czego chcą",
        "aim_keep": "Nagrody i udogodnienia, które zatrzymują klientów",
        "aim_word_repair": "naprawa",
        "aim_word_develop": "rozwój",
        "aim_word_keep": "utrzymanie",
        "rank": "miejsce",
        "idea": "pomysł",
        "kind": "rodzaj",
        "aim": "cel",
        "score": "wynik",
        "fit": "dopasowanie",
        "reactions": "reakcje",
        "source": "źródło",
        "why": "Dlaczego",
        "closest_keywords": "najbliższe słowa kluczowe",
        "closest_quote": "najbliższy cytat",
        "no_ideas": "Dla tego segmentu nie powstały żadne pomysły.",
        "words_warmer": "Ich opinie brzmią pogodniej niż opinie innych klientów, a jednak "
        "oceniają niżej: warto zapytać, czego brakuje im do najwyższej oceny.",
        "words_colder": "Ich opinie brzmią mniej pogodnie niż opinie innych klientów, a jednak "
        "oceniają wyżej: to, na co narzekają, nie odbiło się jeszcze na ich ocenach.",
        "noise": "Ten segment to głównie opinie, z których nie wynika nic do zrobienia, dlatego "
        "nie dostaje pomysłów.",
        "general": "Katalog nie ma nic konkretnego dla tego segmentu, dlatego proponujemy ogólne "
        "kroki: potwierdzić problem, naprawić go i wrócić do klientów. Taktyka napisana z "
        "myślą o takiej sytuacji posłużyłaby im lepiej.",
        "messages": "Wiadomości",
        "audience": "Każdy klient dostaje wiadomości w języku, w którym napisał: {mix}.",
        "variant": "wariant",
        "length": "długość: {length}",
        "subject": "Temat",
        "no_messages": "Brak wiadomości.",
        "business_retail": "handel",
        "business_subscription": "subskrypcje",
        "business_finance": "finanse",
        "business_services": "usługi",
        "business_any": "dowolna",
        "hello": "Dzień dobry,",
        "thanks_intro": "Dziękujemy za każdą opinię: to dzięki nim przygotowaliśmy tę "
        "propozycję.",
        "regards": "Serdecznie pozdrawiamy,",
        "signature_brand": "zespół {brand}",
        "signature": "zespół obsługi klienta",
        "note_from": "Wiadomość od {brand}: {headline}",
        "sms_more": "Więcej: odpisz TAK.",
        "sms_stop": "Wypisz się: STOP",
    },
    "ru": {
        "segment": "Сегмент",
        "size_line": "отзывов: {size} ({share} от всех)",
        "sentiment": "тональность",
        "mean_rating": "средняя оценка",
        "mood": "настроение",
        "mood_unhappy": "негативное",
        "mood_happy": "позитивное",
        "mood_mixed": "смешанное",
        "keywords": "Ключевые слова",
        "none": "нет",
        "what_they_want": "Чего они хотят",
        "what_they_say": "Что они говорят",
        "customer": "клиент",
        "row": "строка",
        "no_quotes": "Цитат нет.",
        "ideas": "Идеи для клиентов",
        "business": "Тактики для этого вида бизнеса: {business}",
        "aim_repair": "Исправить: что пошло не так",
        "aim_develop": "Развитие: шаг к тому, чего они хотят",
        "aim_keep": "Поощрения и удобства, которые удерживают клиентов",
        "aim_word_repair": "исправление",
        "aim_word_develop": "развитие",
        "aim_word_keep": "удержание",
        "rank": "место",
        "idea": "идея",
        "kind": "вид",
        "aim": "цель",
        "score": "балл",
        "fit": "соответствие",
        "reactions": "реакции",
        "source": "источник",
        "why": "Почему",
        "closest_keywords": "ближайшие ключевые слова",
        "closest_quote": "ближайшая цитата",
        "no_ideas": "Для этого сегмента идей нет.",
        "words_warmer": "Их отзывы звучат теплее, чем отзывы других клиентов, но оценки они "
        "ставят ниже: стоит спросить, чего им не хватает до высшей оценки.",
        "words_colder": "Их отзывы звучат менее радостно, чем отзывы других клиентов, но оценки "
        "они ставят выше: то, на что они жалуются, пока не сказалось на их оценках.",
        "noise": "В этом сегменте в основном отзывы, из которых не следует никаких действий, "
        "поэтому идей для него нет.",
        "general": "В каталоге нет ничего конкретного для этого сегмента, поэтому здесь общие "
        "шаги: признать проблему, исправить её и вернуться к клиентам. Тактика, написанная "
        "именно для такого случая, подошла бы им лучше.",
        "messages": "Сообщения",
        "audience": "Каждый клиент получает сообщения на том языке, на котором писал: {mix}.",
        "variant": "вариант",
        "length": "длина: {length}",
        "subject": "Тема",
        "no_messages": "Сообщений нет.",
        "business_retail": "розничная торговля",
        "business_subscription": "подписки",
        "business_finance": "финансы",
        "business_services": "услуги",
        "business_any": "любой",
        "hello": "Здравствуйте!",
        "thanks_intro": "Спасибо, что рассказываете нам, что для Вас важно. Вот что мы "
        "подготовили.",
        "regards": "С уважением,",
        "signature_brand": "команда {brand}",
        "signature": "служба заботы о клиентах",
        "note_from": "Письмо от {brand}: {headline}",
        "sms_more": "Подробнее: ответьте ДА.",
        "sms_stop": "Отписаться: STOP",
    },
}
"""Language code → the fixed words of briefs and messages."""

LANGUAGES = tuple(WORDS)
"""Languages briefs and messages can be written in."""

DEFAULT_LANGUAGE = "en"


def words_for(language: str) -> dict[str, str]:
    """The fixed words of ``language``, or a one-line error naming the languages there are.

    >>> words_for("pl")["hello"]
    'Dzień dobry,'
    """
    if language not in WORDS:
        raise NoomarketingError(
            f"no words for language {language!r}: briefs and messages are written in "
            f"{', '.join(LANGUAGES)}"
        )
    return WORDS[language]
