"""The instructor's side: grading a class (the batch package), LMS exports, gradebooks, Gradescope.

`grade_class` is what `d2lcoach grade` does, callable from Python, a notebook or another runner.
"""

from d2lcoach.instructor.grade import ClassGrade, grade_class

__all__ = ["ClassGrade", "grade_class"]
