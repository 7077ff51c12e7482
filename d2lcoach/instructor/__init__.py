"""The instructor's side: grading a class (the batch package), LMS exports, gradebooks, Gradescope."""
