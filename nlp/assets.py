"""Built-in knowledge of assets: tickers, names, misspellings, quote assets, forex, metals and indices.

Plain data, no logic: nlp.symbols reads it. Exchange markets passed to the pipeline extend it at run time.
"""

from __future__ import annotations


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Common crypto tickers (bases). A word in lower case is taken as one of these only when it is not an English
# word too (see AMBIGUOUS_WORDS); marked with # or $, or in a pair, any of them is a ticker.
CRYPTO_TICKERS = _words(
    """
    BTC ETH SOL ADA DOGE DOT XRP LINK LTC BCH BNB AVAX MATIC POL TRX TON SHIB PEPE FLOKI BONK WIF NEAR ATOM
    ICP APT ARB OP SUI SEI INJ TIA FIL ETC XLM XMR HBAR VET ALGO EGLD FTM S SAND MANA AXS GALA APE CHZ ENJ
    UNI AAVE MKR COMP CRV SNX SUSHI YFI LDO RPL GMX DYDX PERP RUNE KAVA OSMO JUNO KSM GRT RNDR RENDER FET
    AGIX OCEAN TAO WLD ARKM PYTH JUP JTO RAY ORCA BOME MEW POPCAT MOG BRETT TURBO NOT DOGS HMSTR CATI ENA
    ETHFI PENDLE ONDO STRK ZK ZRO BLAST MANTA ALT PIXEL PORTAL AEVO W SAGA OMNI REZ BB LISTA IO ZETA DYM XAI
    ACE NFP AI MEME ORDI SATS RATS 1000SATS 1INCH BAT ZRX KNC BAL LRC IMX BLUR LOOKS MAGIC HOOK ID CYBER EDU
    ARKM ASTR GLMR MOVR CFX CKB ROSE ONE CELO FLOW MINA QNT XTZ EOS NEO IOTA ZEC DASH WAVES ICX ONT QTUM ZIL
    HOT RVN SC DGB XEM BTT WIN JST SUN NFT LUNA LUNC USTC ANKR STORJ AR THETA TFUEL IOTX LPT API3 BAND UMA
    REN OGN CTSI SKL CELR COTI DENT MTL NKN OXT POWR REQ RLC STMX SXP TRB WOO ZEN ALICE ILV YGG PYR GMT GST
    STX CORE KAS ALPH ERG XDC HNT MOBILE IOST XVS CAKE BAKE TWT SFP ALPACA LINA REEF DODO BEL PHA FXS CVX
    LQTY SSV FRAX SPELL ACH AGLD AMP AUDIO BICO BNT C98 CHR CLV DAR DUSK ELF FIDA FLM FORTH GAL GTC HIGH
    JASMY KDA LIT LOKA MASK MBOX MDT NMR OM PEOPLE PROM QI RAD RARE RIF SANTOS SLP SUPER T TLM TOMO UNFI
    VOXEL WAXP XVG YFII ZIL ARPA ATA BADGER BETA BURGER CITY DEGO DF FIO FIRO FIS FOR FRONT HARD IDEX KEY
    KMD LTO MDX MIR NULS OAX PERL PNT POND QUICK SNT STPT SYS TKO TORN TROY UTK VIB VIDT VITE WAN WING WNXM
    XNO GNO ETHW BSV XEC AKT NOS VRA TRAC CSPR FLR SGB XCN GAS NEIRO PNUT ACT GOAT CHILLGUY MOODENG VIRTUAL
    AIXBT AI16Z FARTCOIN GRASS DRIFT ME USUAL MOVE VANA BIO TRUMP MELANIA BERA IP KAITO LAYER RED PAXG HYPE
    PUMP XPL ASTER LINEA WLFI 2Z AVNT SKY USDE
    """
)

# Stablecoins and fiat codes that are usually the quote side of a pair or the unit of an amount.
STABLE_QUOTES = _words(
    """
    USDT USDC BUSD FDUSD TUSD DAI USDP USDD PYUSD USDE UST
    """
)
FIAT = _words(
    """
    USD EUR JPY GBP CHF AUD NZD CAD SEK NOK DKK PLN TRY ZAR MXN SGD HKD CNH CNY RUB INR BRL KRW HUF CZK THB
    """
)
METALS = _words(
    """
    XAU XAG XPT XPD
    """
)
# Indices, energy and other CFD names: kept whole, never split into base and quote.
INDICES = _words(
    """
    US30 US100 US500 US2000 NAS100 NAS SPX SPX500 SP500 NDX NQ ES YM DJI DJ30 DOW USTEC GER40 GER30 DE40
    DE30 DAX UK100 FTSE JP225 NIKKEI JPN225 HK50 HSI FRA40 CAC40 EU50 STOXX50 AUS200 ESP35 ITA40 CHINA50 VIX
    DXY USOIL UKOIL WTI BRENT XTI XBR NGAS XNG
    """
)
# Quote assets a joined pair may end with, longest first so that BTCUSDT is BTC/USDT and not BTCUSD/T.
PAIR_QUOTES: tuple[str, ...] = tuple(
    sorted(STABLE_QUOTES | FIAT | {"BTC", "ETH", "BNB", "SOL", "TRY", "EUR"}, key=lambda q: (-len(q), q))
)

# Names, nicknames and common misspellings, lower case, mapped to tickers.
ASSET_NAMES: dict[str, str] = {
    "bitcoin": "BTC", "bitcoins": "BTC", "bitcion": "BTC", "bitcoi": "BTC", "bitcon": "BTC", "bitcoint": "BTC",
    "biticoin": "BTC", "btc's": "BTC", "xbt": "BTC",
    "биткоин": "BTC", "биткоина": "BTC", "биткоину": "BTC", "биткоином": "BTC", "биткойн": "BTC", "биток": "BTC",
    "битка": "BTC", "эфир": "ETH", "эфира": "ETH", "эфириум": "ETH", "эфириума": "ETH", "солана": "SOL",
    "соланы": "SOL", "золото": "XAU", "золота": "XAU", "серебро": "XAG",
    "ether": "ETH", "ethereum": "ETH", "etherium": "ETH", "etherum": "ETH", "ethereium": "ETH", "eth's": "ETH",
    "ethreum": "ETH", "etherem": "ETH", "eather": "ETH", "ethe": "ETH",
    "solana": "SOL", "solona": "SOL", "solanna": "SOL", "salana": "SOL", "sol's": "SOL",
    "cardano": "ADA", "cardona": "ADA", "cardanos": "ADA",
    "dogecoin": "DOGE", "doge": "DOGE", "dogcoin": "DOGE", "dodge": "DOGE", "dogecoins": "DOGE",
    "polkadot": "DOT", "polka": "DOT", "pokadot": "DOT",
    "ripple": "XRP", "ripples": "XRP", "xrp's": "XRP",
    "chainlink": "LINK", "chain link": "LINK", "chainlnk": "LINK",
    "litecoin": "LTC", "litcoin": "LTC", "lightcoin": "LTC",
    "avalanche": "AVAX", "avalance": "AVAX",
    "polygon": "MATIC", "matic": "MATIC",
    "shiba": "SHIB", "shiba inu": "SHIB", "shibainu": "SHIB",
    "tron": "TRX", "toncoin": "TON", "binance coin": "BNB", "bnb": "BNB",
    "stellar": "XLM", "monero": "XMR", "cosmos": "ATOM", "uniswap": "UNI", "tether": "USDT",
    "aptos": "APT", "arbitrum": "ARB", "optimism": "OP", "injective": "INJ", "celestia": "TIA",
    "filecoin": "FIL", "hedera": "HBAR", "algorand": "ALGO", "fantom": "FTM", "decentraland": "MANA",
    "sandbox": "SAND", "render": "RENDER", "pepe": "PEPE", "floki": "FLOKI", "bonk": "BONK", "dogwifhat": "WIF",
    "internet computer": "ICP", "near protocol": "NEAR", "sui": "SUI", "sei": "SEI", "kaspa": "KAS",
    "bitcoin cash": "BCH", "ethereum classic": "ETC", "maker": "MKR", "aave": "AAVE", "worldcoin": "WLD",
    "jupiter": "JUP", "ondo": "ONDO", "ethena": "ENA", "pendle": "PENDLE", "starknet": "STRK",
    "gold": "XAU", "xausd": "XAU", "silver": "XAG", "platinum": "XPT", "palladium": "XPD",
    "euro": "EUR", "yen": "JPY", "pound": "GBP", "cable": "GBP",
    "dow": "US30", "dow jones": "US30", "nasdaq": "NAS100", "dax": "GER40", "s&p": "SPX500", "s&p500": "SPX500",
    "oil": "USOIL", "crude": "USOIL",
}  # fmt: skip

# Ticker-shaped English words: read as tickers only when marked (#, $), in a pair or written in capitals
# inside a signal; never from a lower-case command, where "buy one sol" must not buy ONE.
AMBIGUOUS_WORDS = _words(
    """
    ONE FOR ME IT AT ON ALL MY GAS HOT SUN WIN KEY ID AI T S W ACE ALT BB IO EDU NOT DOGS CORE HIGH SUPER
    FRONT HARD MOVE RED LAYER REQ RARE BAND BETA CITY GOAT ACT POND TROY MASK MAGIC HOOK PEOPLE LOOKS FLOW
    OM NEO ZEN SC CHR PORTAL OMNI SAGA ME BIO IP NFT PERP MEME DASH AR MANTA BLUR GAL REN STORJ SUN LIT DENT
    DUSK AMP AUDIO SPELL QUICK NOS SKY SYS OX VIB WING LINK OP USUAL PUMP TRUMP BAKE CAKE DOG BEL UMA GALA
    SAND NEAR STX JUST REAL GRASS DRIFT ATA FOR TKO VANA
    """
)
# LINK, OP, NEAR, SAND stay readable in lower case in a trading context: they are listed here so that a lone
# English "link" or "near" is not a ticker, while nlp.symbols accepts them next to a trading verb or number.
TRADING_CONTEXT_OK = frozenset({"LINK", "OP", "NEAR", "SAND", "GALA", "CAKE", "TRUMP", "DOGS", "STX"})

# Words that are never tickers, even in capitals (labels, sides and trading words channels write in caps).
NEVER_TICKERS = _words(
    """
    BUY SELL LONG SHORT ENTRY ENTRIES TP SL TARGET TARGETS STOP LOSS LEVERAGE LEV CROSS ISOLATED SPOT
    FUTURES SIGNAL SIGNALS NEW NOW CMP ZONE PRICE TAKE PROFIT RANGE SETUP TYPE PAIR COIN ASSET SIDE
    DIRECTION LIMIT MARKET THE AND OR TO OF IN BY WITH FROM HERE VIP FREE PREMIUM BINANCE BYBIT OKX KUCOIN
    MEXC BITGET GATE PERP PERPETUAL REGULAR SWING SCALP MID HOLD HODL DCA RISK NOTE UPDATE ALERT ALERTS TF
    TIMEFRAME CHART LOW HIGH OPEN CLOSE SELLS BUYS BULLISH BEARISH ALL DONE HIT TARGETS PROFITS RESULT
    RESULTS BOOKED STOPLOSS BREAKEVEN BE ROI PNL INVALIDATION AM PM UTC GMT I A
    """
)
