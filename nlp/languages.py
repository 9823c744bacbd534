"""Other languages: their trading words read as the English words the rules key on.

A message in Russian, Spanish, Portuguese or Turkish is read by the same rules: each word of its language that
the rules need ("ЛОНГ", "Вход", "Цели", "compra", "objetivos", "alvos", "hedef", "kaldıraç") gets the English
word as its lower-case form, while its text stays as written. Short words that mean something else in another
language ("a", "de", "al", "sat") are read only once a distinctive word has shown which language it is.

Words in letters the rules cannot read (a language not listed here) and trade verbs of languages not read
("kaufen", "acheter") are reported, so that such a message is asked back, never traded on a guess.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from nlp.lexer import NUM, WORD, Token, word_token

Language = str  # ISO 639-1 code: en, ru, es, pt, tr


def _table(text: str) -> dict[str, str]:
    """ "word word2=english; word3=english2" lines into a mapping (a phrase's words each map on their own)."""
    table: dict[str, str] = {}
    for entry in text.split(";"):
        if "=" not in entry:
            continue
        words, english = entry.split("=")
        for word in words.split():
            table[word.strip()] = table[_fold(word.strip())] = english.strip()
    return table


def _fold(word: str) -> str:
    """Turkish dotless ı as i: upper-case KALDIRAÇ lowers to kaldiraç, lower-case kaldıraç keeps its ı."""
    return word.replace("ı", "i")


@dataclass(frozen=True, slots=True)
class Vocabulary:
    code: Language
    words: Mapping[str, str]  # distinctive: read wherever they appear, and they tell the language
    function_words: Mapping[str, str]  # read only in a message shown to be in this language


RUSSIAN = Vocabulary(
    "ru",
    _table(
        """купить купи куплю покупаю покупай покупка покупку покупаем докупить докупаем набираем=buy;
        продать продай продаю продажа продажу продаём продаем=sell; лонг лонги лонгуем=long; шорт шорты шортим=short;
        вход входа входим входу вхождение=entry; зона зоны=zone; цели целей цель цель1=targets; тейк тейки тейк-профит тейк-профиты тейкпрофит=tp;
        профит профита=profit; стоп стопа стоп-лосс стоплосс=stop; лосс=loss; плечо плеча плечи плечом=leverage;
        закрыть закрой закрываю фиксируем зафиксировать=close;
        закрываем закрыли=we close; закрыта закрыт закрыто закрыты=closed; вышел вышли закрыл закрыла=exited; цена цену цене курс=price;
        портфель портфеля=portfolio; баланс баланса=balance; уведоми оповести напомни алерт сигнализируй=alert;
        ордер ордера ордеров заявки=orders; отменить отмени отмена отменяем=cancel; половину половина=half;
        позиция позицию позиции=position; рынку рынок=market; лимит лимитный=limit; выше=above; ниже=below;
        упадет упадёт опустится=drops; поднимется вырастет=rises; когда=when; если=if; сколько=how much;
        стоит=costs; прибыль=profit; сигнал=signal; отработал отработала достигнута достигнут=hit;
        безубыток безубытка=breakeven; перенести переносим передвинуть=move; отмена=cancel; маржа=margin;
        кросс=cross; изолированная=isolated""",
    ),
    _table("на=for; по=at; мой мою мои моих моего=my; все всё весь=all; и=and; от=from; до=to; в=in; с=with"),
)
SPANISH = Vocabulary(
    "es",
    _table(
        """compra comprar compre compro comprando=buy; venta vender vende vendo vendiendo=sell; largo=long;
        corto=short; entrada entradas=entry; objetivo=target; objetivos=targets; pérdida perdida=loss;
        apalancamiento=leverage; cerrar cierra cierre=close; cerramos=we close;
        cerrado cerrada cerrados=closed; movemos muevo=move; ponemos pongo poner=put; tocó toco=hit; punto=point; precio=price; cartera portafolio=portfolio;
        saldo=balance; alerta avísame avisame=alert; baje bajar caiga caer=drops; suba subir supere=rises; órdenes ordenes=orders; orden=order; cancelar cancela
        cancelamos=cancel; mitad=half; cuando=when; debajo=below; encima=above; baja cae=drops; sube=rises;
        posición posicion=position; ganancia ganancias beneficio=profit; señal senal=signal; alcanzado
        alcanzada logrado=hit; mercado=market; límite=limit; zona=zone; mueve mover=move; oro=gold; plata=silver; rango=range;
        plazo=term""",
    ),
    _table(
        "de del=of; con=with; mi mis=my; todo toda todos=all; y=and; si=if; en=at; a=at; al=to; por=by; "
        "la el los las=the; que=that; un una=a; es=is; lo=it; ha=has; más=more"
    ),
)
PORTUGUESE = Vocabulary(
    "pt",
    _table(
        """compra comprar compre comprando=buy; venda vender venda vendendo=sell; entrada entradas=entry;
        alvo=target; alvos=targets; perda=loss; alavancagem=leverage; fechar feche encerrar=close; fechamos encerramos=we close;
        encerrada encerrado fechada fechado=closed; operação operacao=trade; suba=raise;
        preço preco cotação cotacao=price; carteira=portfolio; saldo=balance; alerta avise avisa=alert;
        ordens=orders; ordem=order; cancelar cancele=cancel; metade=half; quando=when; abaixo=below;
        acima=above; cair=drops; subir=rises; posição posicao=position; lucro ganho=profit; sinal=signal;
        atingido atingida batido=hit; mercado=market; limite=limit; zona=zone; mover=move""",
    ),
    _table(
        "de do da=of; com=with; minha meu meus minhas=my; seu sua=your; para=to; tudo todo=all; e=and; se=if; "
        "em=at; a o=the; fecha=close"
    ),
)
TURKISH = Vocabulary(
    "tr",
    _table(
        """al alış alis alım alim satın satin=buy; satış satis sat=sell; giriş giris=entry; hedef=target;
        hedefler hedefleri=targets; zarar=stop; durdur=loss; kaldıraç kaldirac=leverage; kapat kapatın=close;
        fiyat fiyatı fiyati=price; portföy portfoy portföyüm portfoyum portföyümü=portfolio; bakiye=balance; alarm uyar=alert;
        emirler emirleri=orders; emir=order; iptal=cancel; yarısı yarisi=half; altına altina altında=below;
        üstüne ustune üzerine uzerine=above; düşerse duserse=drops; pozisyon=position; kâr kar=profit;
        sinyal=signal; ulaştı ulasti=hit; piyasa=market; limit=limit; bölge bolge=zone""",
    ),
    _table("ve=and; eğer eger=if; ile=with; tüm tum hepsi=all"),
)
VOCABULARIES = (RUSSIAN, SPANISH, PORTUGUESE, TURKISH)
# Trade verbs of languages not read here: a message that gives orders in them is not understood.
_UNREAD_TRADE_WORDS = (
    frozenset(
        [
            "kaufen",
            "kauf",
            "verkaufen",
            "verkauf",
            "kaufe",
            "verkaufe",
            "acheter",
            "achète",
            "achat",
            "vendre",
            "vente",
            "comprare",
            "compra",
            "vendere",
            "kopen",
            "verkopen",
            "kupić",
            "kup",
            "sprzedać",
            "sprzedaj",
            "买",
            "卖",
            "做多",
            "做空",
            "買い",
            "売り",
        ]
    )
    - set(SPANISH.words)
    - set(PORTUGUESE.words)
)


@dataclass(frozen=True, slots=True)
class Reading:
    tokens: list[Token]
    language: Language  # en where no other language's word was found
    unread: tuple[str, ...]  # words not read: other scripts, or trade verbs of languages not read
    doubtful_numbers: tuple[str, ...] = ()  # "160 170": one number with a thousands space, or two?


def _letters_unread(word: str) -> bool:
    """A word in letters outside Latin and Cyrillic (Chinese, Arabic, ...): none of it is read."""
    return any(ch.isalpha() and not ch.isascii() and not _latin_or_cyrillic(ch) for ch in word)


def _latin_or_cyrillic(ch: str) -> bool:
    return "\u00c0" <= ch <= "\u024f" or "\u0400" <= ch <= "\u04ff"


_FUNCTION_WORDS_TO_TELL = 3


def detect(tokens: Sequence[Token]) -> Language:
    """The language whose distinctive words the message uses most; Cyrillic letters alone make it Russian."""
    counts = {
        v.code: sum(1 for t in tokens if t.kind == WORD and _fold(t.low) in v.words) for v in VOCABULARIES
    }
    code, hits = max(counts.items(), key=lambda kv: kv[1])
    if hits:
        return code
    # No trading word: the language whose short words make up the message ("El que salga ahora si ha...").
    small = {
        v.code: sum(1 for t in tokens if t.kind == WORD and t.low in v.function_words) for v in VOCABULARIES
    }
    code, hits = max(small.items(), key=lambda kv: kv[1])
    if hits >= _FUNCTION_WORDS_TO_TELL and hits * 3 >= sum(1 for t in tokens if t.kind == WORD):
        return code
    cyrillic = any(t.kind == WORD and any("\u0400" <= ch <= "\u04ff" for ch in t.low) for t in tokens)
    return "ru" if cyrillic else "en"


def read(tokens: Sequence[Token]) -> Reading:
    language = detect(tokens)
    vocabulary = next((v for v in VOCABULARIES if v.code == language), None)
    out: list[Token] = []
    unread: list[str] = []
    for tok in _join_hyphens(tokens, vocabulary):
        english = _english(tok, vocabulary)
        if english is not None:
            tok = word_token(tok.text, tok.line, english)  # "mitad": the number half, as "half" is
        elif tok.kind == WORD and (_letters_unread(tok.low) or tok.low in _UNREAD_TRADE_WORDS):
            unread.append(tok.text)
        out.append(tok)
    doubtful: tuple[str, ...] = ()
    if language != "en":
        out, doubtful = _join_groups(out)
    if language in _DOT_THOUSANDS:
        out, dotted = _read_dots(out)
        doubtful += dotted
    return Reading(out, language, tuple(unread), doubtful)


def _join_hyphens(tokens: Sequence[Token], vocabulary: Vocabulary | None) -> list[Token]:
    """ "Тейк-профит", "стоп-лосс": a word the vocabulary knows with its hyphen, cut in three by the lexer."""
    out = list(tokens)
    if vocabulary is None:
        return out
    i = 0
    while i + 2 < len(out):
        first, dash, second = out[i : i + 3]
        joined = f"{first.low}-{second.low}"
        if first.kind == second.kind == WORD and dash.text == "-" and _fold(joined) in vocabulary.words:
            out[i : i + 3] = [first._replace(text=f"{first.text}-{second.text}", low=joined)]
        i += 1
    return out


# Languages that write 3.500 for three thousand five hundred (and 3,5 for three and a half).
_DOT_THOUSANDS = frozenset({"es", "pt", "tr"})
_DOTTED = re.compile(r"[1-9][0-9]{0,2}(?:\.[0-9]{3})+")
_EUROPEAN = re.compile(r"[0-9]+(?:\.[0-9]{3})*,[0-9]+")


def _read_dots(tokens: list[Token]) -> tuple[list[Token], tuple[str, ...]]:
    """ "3.500" where dots group thousands: thousands wherever the message writes decimals with a comma
    (64.200,5 or 150,5); otherwise as the message's other prices show the scale, and doubtful where none do."""
    dotted = {i for i, t in enumerate(tokens) if _priced(t) and _DOTTED.fullmatch(t.text)}
    if not dotted:
        return tokens, ()
    european = any(_priced(t) and _EUROPEAN.fullmatch(t.text) for t in tokens)
    others = [t.value for i, t in enumerate(tokens) if i not in dotted and _priced(t) and t.value]
    out = list(tokens)
    doubtful: list[str] = []
    for i in sorted(dotted):
        tok = tokens[i]
        thousands = Decimal(tok.text.replace(".", ""))
        if european or any(thousands / 10 <= other <= thousands * 10 for other in others):
            out[i] = tok._replace(value=thousands)
        elif tok.value is not None and not any(tok.value / 10 <= other <= tok.value * 10 for other in others):
            doubtful.append(tok.text)
    return out, tuple(doubtful)


def _english(tok: Token, vocabulary: Vocabulary | None) -> str | None:
    if tok.kind != WORD or vocabulary is None:
        return None
    key = _fold(tok.low)
    return vocabulary.words.get(key) or vocabulary.function_words.get(key)


_NUMBERING_BEFORE = frozenset({"tp", "target", "targets"})
_DIGIT_GROUPS = re.compile(r"[0-9]{1,3}(?: [0-9]{3})*")


def _join_groups(tokens: list[Token]) -> tuple[list[Token], tuple[str, ...]]:
    """ "65 000": outside English a space may separate thousands (Цели: 65 000, 66 000). Round thousands
    are joined first. Then two numbers that could be one are joined where the message's other prices are of
    the joined scale (within a factor of ten), kept apart where they are of the parts' scale, and otherwise
    kept apart and returned as doubtful, never guessed. "TP 1 151" keeps its numbering."""
    rounded = _join(tokens, lambda prev, _tok: _round_thousands(prev, _tok))
    paired = {i for i in range(1, len(rounded)) if _could_join(rounded[:i], rounded[i])}
    paired |= {i - 1 for i in paired}
    others = [t.value for i, t in enumerate(rounded) if i not in paired and _priced(t) and t.value]
    doubtful: list[str] = []

    def of_the_scale(value: Decimal) -> bool:
        return any(value / 10 <= other <= value * 10 for other in others)

    def joins(prev: Token, tok: Token) -> bool:
        if of_the_scale(_joined_value(prev, tok)):
            return True
        if not of_the_scale(Decimal(tok.text)):
            doubtful.append(f"{prev.text} {tok.text}")
        return False

    return _join(rounded, joins), tuple(doubtful)


def _round_thousands(_prev: Token, tok: Token) -> bool:
    return tok.text == "000"


def _joined_value(prev: Token, tok: Token) -> Decimal:
    return Decimal(f"{prev.text}{tok.text}".replace(" ", ""))


def _join(tokens: list[Token], joins: Callable[[Token, Token], bool]) -> list[Token]:
    out: list[Token] = []
    for tok in tokens:
        if out and _could_join(out, tok) and joins(out[-1], tok):
            text = f"{out[-1].text} {tok.text}"
            out[-1] = out[-1]._replace(text=text, low=text, value=_joined_value(out[-1], tok))
        else:
            out.append(tok)
    return out


def _priced(tok: Token) -> bool:
    return tok.kind == NUM and not (tok.percent or tok.leverage or tok.fraction or tok.unit)


def _could_join(out: list[Token], tok: Token) -> bool:
    return could_be_one_number(out[-1], tok, out[-2].low if len(out) > 1 else "")


def could_be_one_number(prev: Token, tok: Token, before: str = "") -> bool:
    """ "1 500", "65 000": two numbers that may be one written with a space between its digit groups (`before`:
    the word before them, where "TP 1 151" numbers a target)."""
    return (
        _groups(prev)
        and _groups(tok)
        and len(tok.text) == 3
        and prev.line == tok.line
        and not (before in _NUMBERING_BEFORE and len(prev.text) == 1)
    )


def _groups(tok: Token) -> bool:
    """A plain whole number of digit groups: 64, 200, or 1 250 already joined."""
    plain = not (tok.percent or tok.leverage or tok.currency or tok.fraction or tok.unit)
    return tok.kind == NUM and plain and _DIGIT_GROUPS.fullmatch(tok.text) is not None
