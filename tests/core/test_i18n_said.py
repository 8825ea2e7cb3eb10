"""Stored messages (core.i18n) read in the reader's language."""

from datetime import date

from django.utils import translation
from django.utils.translation import gettext_noop

from core.i18n import in_chinese, label, listed, said, say
from orgs.models import OrgSetup


def test_a_stored_message_reads_in_each_language():
    meant = said(gettext_noop("%(org)s 任期已于%(d)s届满，请及时换届"), org="甲支部", d=date(2026, 6, 16))
    assert in_chinese(meant) == "甲支部 任期已于2026-06-16届满，请及时换届"
    with translation.override("en"):
        text = say(meant)
    assert "2026-06-16" in text and "甲支部" in text and "任期" not in text


def test_values_may_be_labels_periods_and_lists():
    items = listed(
        said(gettext_noop("%(type)s（%(period)s）"), type=label("党课"), period=said(gettext_noop("%(y)d年"), y=2026))
        for _ in range(2)
    )
    meant = said(
        gettext_noop("%(e)s 排查表填报“%(s)s”，但台账中没有覆盖它的党组织（以台账为准）"),
        e="甲公司",
        s=label(OrgSetup.OWN.label),
    )
    assert "单独" in in_chinese(meant)
    assert in_chinese(items).count("（2026年）") == 2
    with translation.override("en"):
        assert "（" not in say(items) and ", " in say(items)
        assert "甲公司" in say(meant) and "排查" not in say(meant)


def test_text_stored_before_reads_through_the_catalog_or_as_it_is():
    with translation.override("en"):
        assert say("已完成") == "Done"
        assert say("某企业自己写的说明") == "某企业自己写的说明"
    assert say(None) == "" and say("") == ""
