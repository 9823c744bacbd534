"""How long a test waits for something that should happen: a bound on a hang, never a race to win.

Generous on purpose: CI's machine may be busy (under load a `tsbot run` took over 30 s to answer its health
check), and a test that passes never waits it out. Tests never assert that something was fast.
"""

PATIENCE_S = 300.0
PATIENCE_MS = PATIENCE_S * 1000
