"""Supervision coordination (监督协同): the congress's supervision matters (监督事项) and the
opinions it issues to the organs, with their handling (监督意见办理).

Not to be confused with ``app/web/supervision.py`` and ``app/api/supervision.py``, which
serve the response tickets and lab sheets. The state machines (:mod:`.states`,
:mod:`.opinion_states`) and the vocabulary (:mod:`.vocabulary`) are plain Python; the
service modules write through them and leave a history event for every move.
"""
