"""The course: the functions behind the book's widgets, schematics, answer checks, assignment tools, the demo.

* :mod:`~dynapse_edu.course.widgets` ...: the tested functions behind each part's widgets;
* :mod:`~dynapse_edu.course.schematics`: circuit drawings (schemdraw);
* :mod:`~dynapse_edu.course.check`: answer checks computed from the simulator;
* :mod:`~dynapse_edu.course.assign`: student/instructor versions and grading;
* :mod:`~dynapse_edu.course.demo`: ``python -m dynapse_edu.course.demo``.

The top layer: it may import everything below; nothing in the library imports it.
"""
