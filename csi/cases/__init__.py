"""Follow-up cases: rules (:mod:`.rules`), the case store (:mod:`.store`), the encrypted
contacts (:mod:`.contacts`), working a case (:mod:`.workflow`), intake on import and form
submission (:mod:`.intake`) and the loop metrics (:mod:`.metrics`)."""
