"""gokart.conflict_prevention_lock: Redis locks around dump/load/remove/run, defined in kart-lock."""
