"""The course: the functions behind the book's widgets, schematics, answer checks, assignment tools, the demo.

* :mod:`~dynapse_edu.course.widgets`: what every part's widgets share (:func:`~dynapse_edu.course.widgets.explore`);
* the panels behind the widgets, one module per part of the book:
  :mod:`~dynapse_edu.course.widgets_circuits` (chapters 1-3),
  :mod:`~dynapse_edu.course.widgets_chip` (4-5),
  :mod:`~dynapse_edu.course.widgets_behaviour` (6-9),
  :mod:`~dynapse_edu.course.widgets_transistors` (10-11),
  :mod:`~dynapse_edu.course.widgets_routing` (events and routing),
  :mod:`~dynapse_edu.course.widgets_foundations` (from biology to silicon);
* :mod:`~dynapse_edu.course.schematics`: circuit drawings (schemdraw);
* :mod:`~dynapse_edu.course.check`: answer checks computed from the simulator;
* :mod:`~dynapse_edu.course.capstone`: the capstone projects' starting points and automatic checks;
* :mod:`~dynapse_edu.course.quiz`: the chapters' self-check questions (jupyterquiz), answers computed by the library;
* :mod:`~dynapse_edu.course.assign`: the command line: student/instructor versions and grading;
* :mod:`~dynapse_edu.course.versions`: the markers and the student/instructor versions of a master;
* :mod:`~dynapse_edu.course.grading`: grading: every check from the master, a time limit and a scratch
  folder per notebook;
* :mod:`~dynapse_edu.course.demo`: ``python -m dynapse_edu.course.demo``.

The top layer: it may import everything below; nothing in the library imports it.
"""
