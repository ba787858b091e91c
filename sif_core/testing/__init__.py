"""Test support for sifbridge and its plugin authors: seeded synthetic schools and pupils.

:class:`Synth` generates LAs, schools, staff and pupils that look like real English school data
(valid UPNs and ULNs, UK names, contacts, SEN, FSM, attendance, assessments, dual registration),
identically for one seed and lazily, one pupil at a time.
"""

from sif_core.testing.synth import Synth, SyntheticPupil

__all__ = ["Synth", "SyntheticPupil"]
