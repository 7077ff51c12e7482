"""The grader's version: written into every journal line and report, and part of each grader's digest.

A module of its own, free of torch, so that the batch journal and reports can name it without
importing the engine; d2lcoach.grading.engine imports it from here.
"""

GRADER_VERSION = "2"  # 2: points per property, weighted, once across devices
