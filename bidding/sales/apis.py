"""Listings, descending-auction acceptance and deal confirmations through the API. Every attempt
is answered: 201 with what was accepted, or 4xx with the reason's code and a translated message.

The live auction: staff set it up, bidders bid, anyone signed in reads it (the reserve price is
never shown; the ladder names bidders by number only). Its bids sent with an API token take the
thin path in front of Django (``AuctionBidTokenPath``)."""
import asyncio
import dataclasses
import functools
import io
import json
import re
from concurrent.futures import ThreadPoolExecutor

import psycopg
from asgiref.sync import sync_to_async
from csp.utils import build_policy
from django.conf import settings
from django.core.exceptions import DisallowedHost
from django.core.handlers.asgi import ASGIRequest
from django.db import close_old_connections, connection
from django.http import Http404
from django.urls import Resolver404, resolve
from django.utils import translation
from drf_spectacular.utils import extend_schema
from rest_framework import permissions
from rest_framework.authtoken.models import Token
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from bidding.errors import BiddingError
from bidding.sales.models import Auction, AuctionBidder
from bidding.sales.selectors import auction_state, deal_of_lot, listing_state
from bidding.sales.serializers import (
    AuctionAcceptAnswerSerializer,
    AuctionBidAnswerSerializer,
    AuctionBidSerializer,
    AuctionCreateSerializer,
    AuctionSerializer,
    DealConfirmationSerializer,
    ListingContinueAnswerSerializer,
    ListingCreateSerializer,
    ListingQuoteAnswerSerializer,
    ListingQuoteSerializer,
    ListingSerializer,
)
from bidding.sales.services.auctions import (
    Seat,
    auction_accept,
    auction_bid,
    auction_bid_place,
    auction_bid_price_check,
    auction_bid_screen,
    auction_create,
)
from bidding.sales.services.listings import listing_continue, listing_create, listing_quote
from monitoring.events import actor_of
from trading.apis_lots import ERRORS
from trading.models import Role, User, UserRole
from trading.permissions import IsBidderRole, IsStaffRole


def _listing(lot_id: int):
    listing = listing_state(lot_id=lot_id)
    if listing is None:
        raise Http404
    return listing


class ListingApi(APIView):
    """GET: the listing's state and latest quotes, public like the lot. POST: staff set the terms."""

    def get_permissions(self):
        return [IsStaffRole()] if self.request.method == "POST" else [permissions.AllowAny()]

    @extend_schema(responses={200: ListingSerializer, **ERRORS})
    def get(self, request, lot_id):
        return Response(ListingSerializer(_listing(lot_id)).data)

    @extend_schema(request=ListingCreateSerializer, responses={201: ListingSerializer, **ERRORS})
    def post(self, request, lot_id):
        data = ListingCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        listing_create(lot_id=lot_id, actor=actor_of(request.user), **data.validated_data)
        return Response(ListingSerializer(_listing(lot_id)).data, status=201)


class ListingQuoteApi(APIView):
    permission_classes = [IsBidderRole]

    @extend_schema(request=ListingQuoteSerializer, responses={201: ListingQuoteAnswerSerializer, **ERRORS})
    def post(self, request, lot_id):
        data = ListingQuoteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        answer = listing_quote(lot_id=lot_id, user=request.user, amount=data.validated_data["amount"])
        return Response(ListingQuoteAnswerSerializer(answer).data, status=201)


class ListingContinueApi(APIView):
    """The bidder's organisation will continue to a live auction should the listing end contested."""

    permission_classes = [IsBidderRole]

    @extend_schema(request=None, responses={201: ListingContinueAnswerSerializer, **ERRORS})
    def post(self, request, lot_id):
        bidder = listing_continue(lot_id=lot_id, user=request.user)
        return Response(ListingContinueAnswerSerializer(bidder).data, status=201)


class AuctionAcceptApi(APIView):
    """A descending auction: accept the price of this moment (server time). The first buys."""

    permission_classes = [IsBidderRole]

    @extend_schema(request=None, responses={201: AuctionAcceptAnswerSerializer, **ERRORS})
    def post(self, request, auction_id):
        answer = auction_accept(auction_id=auction_id, user=request.user)
        return Response(AuctionAcceptAnswerSerializer(answer).data, status=201)


class DealConfirmationApi(APIView):
    """The deal confirmation (成交确认书) of a sold lot, signed; its PDF is at the lot's page."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(responses={200: DealConfirmationSerializer, **ERRORS})
    def get(self, request, lot_id):
        deal = deal_of_lot(lot_id=lot_id)
        if deal is None:
            raise Http404
        return Response(DealConfirmationSerializer(deal).data)


def _auction_data(auction_id: int) -> Auction:
    auction = auction_state(auction_id=auction_id)
    if auction is None:
        raise Http404
    return auction


class AuctionCreateApi(APIView):
    permission_classes = [IsStaffRole]

    @extend_schema(request=AuctionCreateSerializer, responses={201: AuctionSerializer, **ERRORS})
    def post(self, request, lot_id):
        data = AuctionCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        auction = auction_create(lot_id=lot_id, actor=actor_of(request.user), **data.validated_data)
        return Response(AuctionSerializer(_auction_data(auction.pk)).data, status=201)


class AuctionApi(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(responses={200: AuctionSerializer, **ERRORS})
    def get(self, request, auction_id):
        return Response(AuctionSerializer(_auction_data(auction_id)).data)


class AuctionBidApi(APIView):
    """Every attempt is answered: 201 with the accepted price and position, or 4xx with the reason."""

    permission_classes = [IsBidderRole]

    @extend_schema(request=AuctionBidSerializer, responses={201: AuctionBidAnswerSerializer, **ERRORS})
    def post(self, request, auction_id):
        data = AuctionBidSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        answer = auction_bid(auction_id=auction_id, user=request.user, amount=data.validated_data["amount"])
        return Response(AuctionBidAnswerSerializer(answer).data, status=201)


# --- the token path of AuctionBidApi --------------------------------------------------------------------

# An active user holding the bidder role, by API token: what TokenAuthentication and IsBidderRole
# establish, in one statement.
_TOKEN_BIDDER = (
    f"SELECT u.id, u.organisation_id FROM {Token._meta.db_table} t JOIN {User._meta.db_table} u ON u.id = t.user_id"
    f" WHERE t.key = %s AND u.is_active AND EXISTS (SELECT 1 FROM {UserRole._meta.db_table} r"
    f" WHERE r.user_id = u.id AND r.role = %s)")
# The same with the bidder's seat in the auction and its price (NULLs: no seat), for the event loop's
# path: what _TOKEN_BIDDER and auction_bid's seat read give, in one round trip.
_TOKEN_BIDDER_SEAT = (
    "SELECT u.id, u.organisation_id, b.id, b.number, a.countdown_seconds, a.current_price"
    f" FROM {Token._meta.db_table} t JOIN {User._meta.db_table} u ON u.id = t.user_id"
    f" LEFT JOIN {AuctionBidder._meta.db_table} b ON b.auction_id = %s AND b.organisation_id = u.organisation_id"
    f" LEFT JOIN {Auction._meta.db_table} a ON a.id = b.auction_id"
    f" WHERE t.key = %s AND u.is_active AND EXISTS (SELECT 1 FROM {UserRole._meta.db_table} r"
    f" WHERE r.user_id = u.id AND r.role = %s)")
_PRICE = f"SELECT current_price FROM {Auction._meta.db_table} WHERE id = %s"
_AMOUNT = re.compile(r"[0-9]{1,14}(\.[0-9]{1,2})?")  # what AuctionBidSerializer accepts as a string, at least
_BODY_MAX = 1024
# What the middleware (security, locale, clickjacking) and DRF add to this view's answers.
_HEADERS = [(b"content-type", b"application/json"), (b"vary", b"Accept, Accept-Language, Cookie"),
            (b"allow", b"POST, OPTIONS"), (b"x-frame-options", b"DENY"), (b"x-content-type-options", b"nosniff"),
            (b"referrer-policy", b"same-origin"), (b"cross-origin-opener-policy", b"same-origin")]


@functools.cache
def _policy() -> bytes:
    return build_policy().encode()


def _https_headers(scope) -> list:
    """The Content Security Policy (django-csp's middleware) and, over HTTPS, HSTS (Django's
    SecurityMiddleware), as the full stack adds them to this view's answers."""
    headers = [(b"content-security-policy", _policy())]
    if settings.SECURE_HSTS_SECONDS and scope.get("scheme") == "https":
        value = f"max-age={settings.SECURE_HSTS_SECONDS}" + (
            "; includeSubDomains" if settings.SECURE_HSTS_INCLUDE_SUBDOMAINS else "") + (
            "; preload" if settings.SECURE_HSTS_PRELOAD else "")
        headers.append((b"strict-transport-security", value.encode()))
    return headers


class AuctionBidTokenPath:
    """ASGI wrapper answering a live auction's bids sent with an API token without Django's
    middleware and DRF; any other request, and any bid it cannot answer exactly as
    ``AuctionBidApi`` would, goes to ``app`` unchanged.

    Why: one hot auction with 100 bidders on 2 daphne processes (bench_auction, 2 cores) answered
    109 bids/s at p99 1,469 ms, ~10.6 ms of server CPU a bid. py-spy put most of it outside the
    service: the middleware chain, which under ASGI hops threads for each sync middleware
    (WhiteNoise's is sync only, so the whole chain ran in a new thread per request), DRF's
    authentication, permission and negotiation, the role query. Here a bid costs one thread hop and
    one query before the service (token, active user and bidder role together): with the service's
    own cuts, 555–627 bids/s at p99 389–477 ms in the same runs, ~1.7 ms of server CPU a bid, about
    half of it daphne's and Twisted's.

    Taken only when nothing else could change the answer: ``Authorization: Token <key>``, no session
    cookie (DRF's session authentication would come first and enforce CSRF), a JSON body of at most
    1 KiB whose ``amount`` is a plain decimal string, ``Accept`` absent, ``*/*`` or
    ``application/json``, an allowed host. An unknown token, an inactive user or one without the
    bidder role goes on to DRF for its 401 or 403. The language is chosen as LocaleMiddleware would.
    A body it does not take goes on whole, so one over Django's limit, or malformed, gets the API's
    JSON refusal there (``trading.apierrors``), as without this path.
    """

    def __init__(self, app):
        self.app = app
        self.renderer = JSONRenderer()
        # Its own threads, so that bids waiting for the database never hold up the rest of the
        # process. 4, 6, 8 and 16 threads a process answered 519, 500, 534 and 315 bids/s: with 16 the
        # auction row had ~20 waiters and PostgreSQL spent the time waking them.
        self.executor = ThreadPoolExecutor(max_workers=6, thread_name_prefix="auction-bid")
        self.reads = _Reads(size=6) if connection.vendor == "postgresql" else None

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or scope["method"] != "POST" or not _token_of(scope):
            return await self.app(scope, receive, send)
        if settings.SECURE_SSL_REDIRECT and scope.get("scheme") != "https":
            return await self.app(scope, receive, send)  # Django's SecurityMiddleware redirects it
        body, more = b"", True
        while more and len(body) <= _BODY_MAX:
            message = await receive()
            if message["type"] != "http.request":
                return
            body += message.get("body", b"")
            more = message.get("more_body", False)
        answer = None
        if not more and len(body) <= _BODY_MAX:
            bid = _bid_of(scope, body)
            if bid is not None:
                if self.reads is not None:
                    answer = await self.answer_on_loop(*bid)
                else:
                    answer = await sync_to_async(self.answer, thread_sensitive=False, executor=self.executor)(*bid)
        if answer is None:
            return await self.app(scope, _replay(body, more, receive), send)
        status, content, language = answer
        await send({"type": "http.response.start", "status": status,
                    "headers": [*_HEADERS, *_https_headers(scope), (b"content-language", language.encode()),
                                (b"content-length", str(len(content)).encode())]})
        await send({"type": "http.response.body", "body": content})

    async def answer_on_loop(self, auction_id: int, key: str, amount: str,
                             language: str) -> tuple[int, bytes, str] | None:
        """``answer`` on PostgreSQL: the token, the seat and the price in one read on this event loop,
        and ``auction_bid``'s checks before the auction row; only a bid past them takes a worker
        thread, for the conditional UPDATE and the audit append.

        Why: most attempts on a hot auction are refused as too low, and in a thread each cost a hop
        there and back, a Django connection from the pool and two statements that PostgreSQL planned
        anew each time. bench_auction (2 daphne, 2 cores, 20 s, three runs each; runs of the same code
        differ by up to a fifth): before, 406–490 answered/s, paced at 500 offered/s 413–485/s at p99
        451–735 ms, PostgreSQL's backends busy 0.42–0.48 on average; with this path, 430–604/s, paced
        472–499/s at p99 289–444 ms, backends busy 0.12–0.15. The servers' own CPU a bid grew a little
        (psycopg's asyncio waits cost more than its blocking ones): daphne, the server then, was
        still most of it (runplatform serves with uvicorn since: see its ``server_config``).
        """
        row = await self.reads.one(_TOKEN_BIDDER_SEAT, [auction_id, key, Role.BIDDER])
        if row is None:
            return None
        user = User(pk=row[0], organisation_id=row[1])
        seat = Seat(*row[2:]) if row[2] is not None else None
        with translation.override(language):
            try:
                amount = await auction_bid_screen(auction_id=auction_id, amount=amount, seat=seat)
            except BiddingError as error:
                return self.refusal(error, language)
        async with self.reads.gate(auction_id):
            # The price again, now that this process's bids before this one are in. A third of the
            # attempts passed the first read (bidders raise the last price they saw, together) and all
            # but the first of each such crowd lost to it; they are refused here from one prepared read
            # instead of from a transaction in a thread (BEGIN, UPDATE, _refusal's read, ROLLBACK).
            row = await self.reads.one(_PRICE, [auction_id])
            if row is not None:
                seat = dataclasses.replace(seat, seen=row[0])
                with translation.override(language):
                    try:
                        auction_bid_price_check(amount=amount, seat=seat)
                    except BiddingError as error:
                        return self.refusal(error, language)
            return await sync_to_async(self.place, thread_sensitive=False, executor=self.executor)(
                language, auction_id=auction_id, user=user, amount=amount, seat=seat)

    def answer(self, auction_id: int, key: str, amount: str, language: str) -> tuple[int, bytes, str] | None:
        """(status, JSON body, language), or None for DRF to answer. Runs in a worker thread."""
        close_old_connections()
        try:
            with connection.cursor() as cursor:
                cursor.execute(_TOKEN_BIDDER, [key, Role.BIDDER])
                row = cursor.fetchone()
            if row is None:
                return None
            return self.outcome(language, auction_bid, auction_id=auction_id,
                                user=User(pk=row[0], organisation_id=row[1]), amount=amount)
        finally:
            close_old_connections()

    def place(self, language: str, **bid) -> tuple[int, bytes, str]:
        """``auction_bid_place`` for ``answer_on_loop``. Runs in a worker thread."""
        close_old_connections()
        try:
            return self.outcome(language, auction_bid_place, **bid)
        finally:
            close_old_connections()

    def outcome(self, language: str, service, **bid) -> tuple[int, bytes, str]:
        with translation.override(language):
            try:
                answer = service(**bid)
            except BiddingError as error:
                return self.refusal(error, language)
            return 201, self.renderer.render(AuctionBidAnswerSerializer(answer).data), language

    def refusal(self, error: BiddingError, language: str) -> tuple[int, bytes, str]:
        """Caller has ``language`` active: the message is translated here."""
        data = {"code": error.code, "detail": str(error.message)}
        if error.fields:
            data["fields"] = error.fields
        return error.status, self.renderer.render(data), language


class _Reads:
    """At most ``size`` autocommit psycopg connections of the running event loop, for the token path's
    reads there. A server runs one loop; tests run each request in a loop of its own, and a new loop
    closes the connections of the one before."""

    def __init__(self, size: int):
        self.size = size
        self.loop = None
        self.idle: list[psycopg.AsyncConnection] = []
        self.slots: asyncio.Semaphore | None = None
        self.gates: dict[int, asyncio.Lock] = {}

    async def one(self, query: str, params: list) -> tuple | None:
        """The first row of ``query``. An idle connection that had died (PostgreSQL restarted) is
        dropped and the query tried on the next, a new connection last."""
        loop = asyncio.get_running_loop()
        if loop is not self.loop:
            for stale in self.idle:
                await stale.close()
            self.loop, self.idle, self.slots, self.gates = loop, [], asyncio.Semaphore(self.size), {}
        async with self.slots:
            while True:
                reused = bool(self.idle)
                conn = self.idle.pop() if reused else await psycopg.AsyncConnection.connect(**_reads_params())
                try:
                    row = await (await conn.execute(query, params)).fetchone()
                except psycopg.OperationalError:
                    await conn.close()
                    if reused:
                        continue
                    raise
                except BaseException:
                    await conn.close()  # in an unknown state
                    raise
                self.idle.append(conn)
                return row

    def gate(self, auction_id: int) -> asyncio.Lock:
        """This loop's way to an auction's conditional UPDATE (``auction_bid_place``): one bid at a time."""
        return self.gates.setdefault(auction_id, asyncio.Lock())

    async def close(self) -> None:
        """Close the idle connections (tests, before their database is dropped); from any loop."""
        while self.idle:
            await self.idle.pop().close()


def _reads_params() -> dict:
    """Django's connection parameters with autocommit, psycopg's own cursors and prepared statements.

    Prepared: PostgreSQL took ~0.45 ms to plan _TOKEN_BIDDER_SEAT and ~0.03 ms to run it (EXPLAIN
    ANALYZE). Django leaves them off for PgBouncer's transaction mode, which these connections do
    not go through (a PgBouncer before 1.21 there would refuse them)."""
    params = connection.get_connection_params()
    params.pop("cursor_factory")
    return {**params, "autocommit": True, "prepare_threshold": 0}


def _token_of(scope) -> bool:
    for name, value in scope["headers"]:
        if name == b"authorization":
            return value[:6].lower() == b"token "
    return False


def _bid_of(scope, body: bytes) -> tuple[int, str, str, str] | None:
    """(auction id, token key, amount, language) when the token path can answer this request."""
    request = ASGIRequest(scope, io.BytesIO(body))
    auction_id = _auction_of(request.path_info)
    if auction_id is None:
        return None
    try:
        request.get_host()
    except DisallowedHost:
        return None
    meta = request.META  # not request.headers, which costs a parse of every header
    if (request.content_type != "application/json" or meta.get("CONTENT_LENGTH") != str(len(body))
            or meta.get("HTTP_ACCEPT", "*/*") not in ("*/*", "application/json")
            or settings.SESSION_COOKIE_NAME in request.COOKIES):
        return None
    credentials = meta["HTTP_AUTHORIZATION"].split()
    try:
        data = json.loads(body)
    except ValueError:
        return None
    amount = data.get("amount") if isinstance(data, dict) else None
    if len(credentials) != 2 or not isinstance(amount, str) or not _AMOUNT.fullmatch(amount):
        return None
    return auction_id, credentials[1], amount, translation.get_language_from_request(request)


@functools.lru_cache(maxsize=1024)
def _auction_of(path: str) -> int | None:
    """The auction of a path routed to ``AuctionBidApi`` (resolving cost as much as the bid's first query)."""
    try:
        match = resolve(path)
    except Resolver404:
        return None
    return match.kwargs["auction_id"] if getattr(match.func, "view_class", None) is AuctionBidApi else None


def _replay(body: bytes, more: bool, receive):
    """``receive`` for the app the request goes on to: the body read so far, then the rest."""
    first = [{"type": "http.request", "body": body, "more_body": more}]

    async def replayed():
        return first.pop() if first else await receive()

    return replayed
