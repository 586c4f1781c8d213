"""Complaints to a bank, written for these tests: a business that is not a shop.

Four themes, eight texts each, in the words customers of a bank would use. The offers are a
bank's. Nothing here is real data.
"""

# ruff: noqa: E501  (one complaint per line reads best)

from __future__ import annotations

BANK_COMPLAINTS = {
    "collectors": [
        "A debt collection agency keeps calling me three times a day about a loan I already repaid.",
        "Your collectors threatened me on the phone and called my employer about the credit card debt.",
        "I asked for a payment plan for my arrears and instead the debt was sold to a collection agency.",
        "Collectors phone me late in the evening and at weekends, this is harassment.",
        "I lost my job and fell behind on the loan, nobody offered me any way to pay in smaller parts.",
        "The collection letters add new penalties every month and I cannot see what I actually owe.",
        "A collector came to my home without warning and spoke to my neighbours about my debt.",
        "I keep getting debt collection calls for someone who used to have my phone number.",
    ],
    "fees": [
        "You charged me an overdraft fee of 35 for being two dollars over my limit.",
        "A monthly account maintenance fee appeared without any notice, I was told the account was free.",
        "The interest rate on my credit card went up and nobody explained why.",
        "I was charged a foreign transaction fee although the card was advertised as free abroad.",
        "Three late payment fees in one month for a single missed payment is outrageous.",
        "There is a fee for everything now: transfers, cash withdrawals, even paper statements.",
        "The early repayment charge on my mortgage was never mentioned when I signed.",
        "My statement shows charges I cannot understand and the branch could not explain them.",
    ],
    "fraud": [
        "Someone used my card for four payments abroad and the bank still has not returned my money.",
        "I reported an unauthorised transaction two weeks ago and the dispute is still open.",
        "Scammers called pretending to be the bank and emptied my savings account.",
        "My card was cloned at an ATM and it took five days to block it.",
        "The fraud team keeps asking me for the same documents and nothing happens.",
        "I got a text message about a payment I never made and could not reach anyone at night.",
        "My account was hacked and the bank says it is my fault although I never shared my password.",
        "A direct debit I cancelled keeps taking money and the bank refuses to refund it.",
    ],
    "app": [
        "The mobile banking app logs me out every time I try to make a transfer.",
        "After the last update the app does not show my balance at all.",
        "I cannot log in to online banking, the verification code never arrives.",
        "The app crashes when I try to pay a bill, I had to go to the branch.",
        "Transfers in the app take days to show up, other banks are instant.",
        "The new version of the banking app is confusing, I cannot find my statements.",
        "Face login stopped working and the app asks for a card reader I do not have.",
        "Online banking was down all weekend and I could not pay my rent.",
    ],
}

BANK_OFFERS = [
    {"id": "fixed-mortgage", "name": "Fixed-rate mortgage",
     "description": "A mortgage with an interest rate fixed for ten years and no early repayment charge.",
     "cost": 0},
    {"id": "no-fee-account", "name": "Current account without fees",
     "description": "A current account with no monthly fee, free transfers and free cash withdrawals.",
     "cost": 2},
    {"id": "card-cashback", "name": "Credit card with cashback",
     "description": "A credit card that returns 1% of every card payment, with no annual fee.",
     "cost": 3},
    {"id": "savings-plus", "name": "Savings account",
     "description": "A savings account with a higher interest rate for money kept for a year.",
     "cost": 1},
    {"id": "payment-holiday", "name": "Loan payment holiday",
     "description": "Pause loan repayments for up to three months when your income drops.",
     "cost": 5},
    {"id": "travel-insurance", "name": "Travel insurance for card holders",
     "description": "Travel insurance included with the premium card, with medical cover abroad.",
     "cost": 4},
]


def bank_feedback() -> list[dict[str, str]]:
    """One row per complaint: ``customer_id``, ``text`` and the theme as ``theme``."""
    rows = []
    for theme, texts in BANK_COMPLAINTS.items():
        for i, text in enumerate(texts):
            rows.append({"customer_id": f"{theme}-{i}", "text": text, "theme": theme})
    return rows
