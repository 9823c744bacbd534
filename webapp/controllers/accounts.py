"""Exchange accounts and personal API tokens of the signed-in user."""

from litestar import Controller, Request, delete, get, post
from litestar.datastructures import State
from litestar.params import JSONBody

from trading.domain.access import TokenScope
from trading.domain.accounts import PAPER, Credentials
from trading.domain.errors import InvalidInput
from trading.domain.futures import MarketType
from trading.usecases.access import api_tokens, create_api_token, revoke_api_token
from trading.usecases.exchange_accounts import accounts, add_account, remove_account
from trading.usecases.second_factor import check_second_factor
from trading.usecases.venue_balances import sync_venue_balances
from webapp.auth import Principal, can_trade
from webapp.context import WebContext
from webapp.controllers.second_factor import CODE_REFUSALS, SecondFactorCode
from webapp.convert import account_out, api_token_out
from webapp.schemas import (
    AccountIn,
    AccountOut,
    ApiTokenIn,
    ApiTokenOut,
    BalancesSyncedOut,
    NewApiToken,
    RowId,
    TransferOut,
)

AuthRequest = Request[Principal, object, State]


def _known_exchange(exchange: str) -> bool:
    if exchange == PAPER:
        return True
    import ccxt.async_support as ccxt_async  # heavy: only when a venue account is added

    return exchange in ccxt_async.exchanges


class AccountsController(Controller):
    path = "/accounts"
    tags = ("accounts",)

    @get(summary="Exchange accounts (secrets are never returned)")
    async def list_accounts(self, state: State, request: AuthRequest) -> list[AccountOut]:
        web: WebContext = state.web
        return [account_out(a) for a in await accounts(web.core, request.user.user_id)]

    @post(
        guards=[can_trade],
        responses=CODE_REFUSALS,
        summary="Add an exchange account (with keys: a second factor's code in X-TOTP, where it is on)",
    )
    async def add(
        self, state: State, request: AuthRequest, data: JSONBody[AccountIn], totp: SecondFactorCode = None
    ) -> AccountOut:
        web: WebContext = state.web
        if not _known_exchange(data.exchange):
            raise InvalidInput(f"{data.exchange!r} is neither 'paper' nor an exchange this bot knows.")
        if (data.api_key is None) != (data.secret is None):
            raise InvalidInput("Give the API key and the secret together.")
        credentials = (
            Credentials(data.api_key, data.secret, data.password)
            if data.api_key is not None and data.secret is not None
            else None
        )
        if credentials is not None:
            await check_second_factor(web.core, request.user.user_id, totp)
        account = await add_account(
            web.core,
            request.user.user_id,
            data.exchange,
            data.label,
            data.testnet,
            credentials,
            MarketType(data.market_type),
        )
        return account_out(account)

    @post(
        "/{account_id:int}/sync",
        guards=[can_trade],
        status_code=200,
        summary="Book the transfers made at the venue since its books last matched it (refused while orders "
        "are live)",
    )
    async def sync(self, state: State, request: AuthRequest, account_id: RowId) -> BalancesSyncedOut:
        web: WebContext = state.web
        transfers = await sync_venue_balances(web.core, request.user.user_id, account_id)
        return BalancesSyncedOut([TransferOut(t.asset, t.amount, t.cost) for t in transfers])

    @delete("/{account_id:int}", guards=[can_trade], summary="Remove an exchange account")
    async def remove(self, state: State, request: AuthRequest, account_id: RowId) -> None:
        web: WebContext = state.web
        await remove_account(web.core, request.user.user_id, account_id)


class TokensController(Controller):
    path = "/tokens"
    tags = ("tokens",)

    @get(summary="Personal API tokens (their secrets are shown only once, at creation)")
    async def list_tokens(self, state: State, request: AuthRequest) -> list[ApiTokenOut]:
        web: WebContext = state.web
        return [api_token_out(t) for t in await api_tokens(web.core, request.user.user_id)]

    @post(
        guards=[can_trade],
        responses=CODE_REFUSALS,
        summary="Create a personal API token (a second factor's code in X-TOTP, where it is on)",
    )
    async def create(
        self, state: State, request: AuthRequest, data: JSONBody[ApiTokenIn], totp: SecondFactorCode = None
    ) -> NewApiToken:
        web: WebContext = state.web
        await check_second_factor(web.core, request.user.user_id, totp)
        token, secret = await create_api_token(
            web.core, request.user.user_id, data.name, TokenScope(data.scope)
        )
        return NewApiToken(api_token_out(token), secret)

    @delete("/{token_id:int}", guards=[can_trade], summary="Revoke a personal API token")
    async def revoke(self, state: State, request: AuthRequest, token_id: RowId) -> None:
        web: WebContext = state.web
        await revoke_api_token(web.core, request.user.user_id, token_id)
