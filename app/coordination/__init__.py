"""Organ coordination and social supervision (监督协同, issue 7 items 3-5): key concerns the
congress flags for an organ and the organ's written response (重点关注回应), deputies'
opinions raised from any page, assigned, answered and rated online (代表意见网上交办), and
third-party and social supervision — evaluators' reports, procuratorial recommendations and
their adoption, and the public's comments, masked for personal data — each of which can
become the origin of a supervision matter.

The state machines (:mod:`.concern_states`, :mod:`.deputy_states`,
:mod:`.recommendation_states`), the vocabulary and the masking are plain Python; the service
modules write through them and leave a history event for every move. Who sees what is
decided in :mod:`.visibility` and documented there.
"""
