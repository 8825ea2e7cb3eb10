"""The survey import as a street runs it: it does not learn which other
street holds a credit code."""

import json

from surveys.services import survey_import
from tests.helpers.survey_files import survey_row, write_xlsx

YEAR = 2026


def run(path, **kwargs):
    return survey_import(path=path, year=YEAR, by=None, **kwargs)


def test_another_streets_code_does_not_name_that_street(world, tmp_path):
    row = survey_row(1, "甲街道", **{"统一社会信用代码": world.enterprise_b.credit_code})
    report = run(write_xlsx(tmp_path / "s.xlsx", [row]), street=world.street_a)
    (rejection,) = report.rejected
    assert rejection["column"] == "所属街道"
    assert rejection["message"] == "该企业属于其他街道的登记范围，不能由本街道导入变更"
    assert world.street_b.name not in json.dumps(report.as_json(), ensure_ascii=False)
