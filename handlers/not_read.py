"""The answer to a message in a language the bot does not read: in the trader's own language where the bot
knows it (Telegram's language_code, else the language the message's trading words showed), saying what it
understood and what it did not. Such a message is never traded."""

from nlp.result import ParseResult

_NOT_READ = {
    "en": "I could not read all of that: I read English, Russian, Spanish, Portuguese and Turkish.",
    "ru": "Я не смог прочитать всё сообщение: я читаю английский, русский, испанский, португальский и турецкий.",
    "es": "No pude leer todo el mensaje: leo inglés, ruso, español, portugués y turco.",
    "pt": "Não consegui ler toda a mensagem: leio inglês, russo, espanhol, português e turco.",
    "tr": "Mesajın tamamını okuyamadım: İngilizce, Rusça, İspanyolca, Portekizce ve Türkçe okuyorum.",
}
_UNDERSTOOD = {"en": "Understood", "ru": "Понял", "es": "Entendí", "pt": "Entendi", "tr": "Anladığım"}
_NOT_READ_WORDS = {
    "en": "Not read",
    "ru": "Не прочитал",
    "es": "No leído",
    "pt": "Não lido",
    "tr": "Okunamayan",
}


def not_read_answer(parsed: ParseResult, unread: tuple[str, ...], language_code: str | None) -> str:
    language = (language_code or "")[:2].lower()
    if language not in _NOT_READ:
        language = parsed.language if parsed.language in _NOT_READ else "en"
    understood = [
        str(word) for word in (parsed.symbol, parsed.amount, parsed.price, parsed.threshold) if word
    ]
    lines = [_NOT_READ[language]]
    if understood:
        lines.append(f"{_UNDERSTOOD[language]}: {', '.join(understood)}")
    lines.append(f"{_NOT_READ_WORDS[language]}: {', '.join(unread)}")
    return "\n".join(lines)
