"""Labels the templates translate at run time (``_(level_names[...])`` and the like).

pybabel only sees string literals, so the labels of ``tenants.models.LEVEL_NAMES``,
``tenants.models.ORGAN_KINDS`` and ``app.auth.models.ROLES`` are repeated here to be
extracted into the catalog. Nothing imports this module; tests/web/test_i18n.py checks
that it lists exactly the labels those tables hold.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

LEVEL_LABELS = (_l("省"), _l("市"), _l("区县"), _l("乡镇街道"))

ORGAN_KIND_LABELS = (
    _l("法院"),
    _l("检察院"),
    _l("公安"),
    _l("司法局"),
    _l("人民法庭"),
    _l("派出所"),
    _l("司法所"),
)

ROLE_LABELS = (
    _l("人大管理员"),
    _l("人大工作人员"),
    _l("人大代表"),
    _l("只读用户"),
    _l("司法机关用户"),
    _l("第三方评估机构"),
)
