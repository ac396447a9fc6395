"""Words for the children area's codes, in both languages."""

from flask_babel import lazy_gettext as _l

from portal.children.models import Category, ChildStatus, Gender, SchoolStage

CATEGORY_LABELS = {
    Category.orphan: _l("Orphan"),
    Category.unsupported: _l("No one in fact raising the child"),
    Category.left_behind: _l("Left-behind child"),
    Category.migrant: _l("Migrant child"),
    Category.low_income: _l("Low-income or extremely poor family"),
    Category.illness_disability: _l("Serious illness or disability"),
    Category.parent_imprisoned: _l("Parent imprisoned or in drug rehabilitation"),
    Category.other: _l("Other child in difficulty"),
}

SCHOOL_STAGE_LABELS = {
    SchoolStage.none: _l("Not at school or not recorded"),
    SchoolStage.preschool: _l("Preschool"),
    SchoolStage.primary: _l("Primary school"),
    SchoolStage.junior_secondary: _l("Junior secondary school"),
    SchoolStage.senior_secondary: _l("Senior secondary school"),
    SchoolStage.vocational_school: _l("Secondary vocational school"),
    SchoolStage.vocational_college: _l("Vocational college"),
    SchoolStage.university: _l("University"),
}

GENDER_LABELS = {Gender.male: _l("Boy"), Gender.female: _l("Girl")}

STATUS_LABELS = {
    ChildStatus.active: _l("Active file"),
    ChildStatus.moved: _l("Moved away"),
    ChildStatus.aged_out: _l("Aged out (18)"),
    ChildStatus.closed: _l("Closed"),
}
