"""python-escpos keeps a capabilities pickle: these tests keep it in a temporary folder."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from kasir.output.escpos import PICKLE_DIR_ENV


@pytest.fixture(scope="session", autouse=True)
def _escpos_pickle_in_tmp(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(PICKLE_DIR_ENV, str(tmp_path_factory.mktemp("escpos")))
        yield
