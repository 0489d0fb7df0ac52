from django.apps import AppConfig


class BiddingConfig(AppConfig):
    name = "bidding"

    def ready(self):
        # Sales stand on sealed bidding, so the opening learns from them how an opening decides a
        # sale: the reveal of a listing lot's reserve, and the sale of opened one-shot quotes.
        from bidding.sales.services import reveal, sales
        from bidding.sealed.services import opening

        opening.sale_steps_register(reserve_revealed=reveal.reserve_reveal, quotes_opened=sales.sale_one_shot)
