"""Demo data: a deterministic, seeded data set built on the real 2023 division codes.

``small`` is Linyi city (3713: 12 counties, 156 towns, 4,186 villages), whose Lanshan district runs
the 兰山e起助 platform of the seed reports; ``province`` is the whole of Shandong (37: 1,853 towns,
62,074 villages). Each area adds its part through a loader in ``LOADERS``; every loader streams and
takes the same seeded random generator, so two runs give the same data.
"""

from __future__ import annotations

SCALES = {
    "small": "3713",
    "province": "37",
}
SEED = 20231231
