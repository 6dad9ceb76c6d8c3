"""Coach mode: many athletes from one data repository (README.md#coach-mode).

`roster` reads which athletes to sync and their settings (`--athletes`,
`ATHLETES`, `athletes.json`); `run` syncs them in one process under one
shared rate budget and writes `athletes/index.json`; `plan` emits the
GitHub Actions matrix of the coach workflow.
"""
