// The parts of Telegram's WebApp object the Mini App uses (https://core.telegram.org/bots/webapps).
export interface TelegramButton {
  setText(text: string): void;
  show(): void;
  hide(): void;
  onClick(cb: () => void): void;
  offClick(cb: () => void): void;
}

export interface TelegramWebApp {
  initData: string;
  themeParams: Record<string, string | undefined>;
  MainButton: TelegramButton;
  BackButton: TelegramButton;
  HapticFeedback: { notificationOccurred(kind: "error" | "success" | "warning"): void };
  ready(): void;
  expand(): void;
}

export function telegram(): TelegramWebApp | null {
  const app = (window as unknown as { Telegram?: { WebApp?: TelegramWebApp } }).Telegram?.WebApp;
  return app && app.initData ? app : null;
}

/** Init data: from Telegram's script, or straight from the launch URL's hash where Telegram puts it. */
export function initData(): string {
  const fromScript = telegram()?.initData;
  if (fromScript) return fromScript;
  const hash = new URLSearchParams(window.location.hash.slice(1));
  return hash.get("tgWebAppData") ?? "";
}

export function applyTheme(): void {
  const theme = telegram()?.themeParams ?? {};
  const root = document.documentElement.style;
  const pairs: [string, string | undefined][] = [
    ["--bg", theme.bg_color],
    ["--text", theme.text_color],
    ["--hint", theme.hint_color],
    ["--button", theme.button_color],
    ["--button-text", theme.button_text_color],
    ["--card", theme.secondary_bg_color],
  ];
  for (const [name, value] of pairs) if (value) root.setProperty(name, value);
}

export function haptic(kind: "error" | "success" | "warning"): void {
  telegram()?.HapticFeedback.notificationOccurred(kind);
}
