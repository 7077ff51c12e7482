"""The learner's side: the tutor (next, check, hint), the workspace and its progress file, watch, notebooks."""
