from flask import redirect, url_for
from flask_login import current_user

from portal import access, db
from portal.accounts.forms import EmptyForm
from portal.notifications import bp, rules
from portal.web import render


@bp.route("/")
@access.route("signed_in")
def index():
    notices = rules.notices_for(db.session(), current_user)
    return render("notifications/index.html", notices=notices, text_of=rules.text_of, form=EmptyForm())


@bp.route("/read", methods=["POST"])
@access.route("signed_in")
def mark_read():
    if EmptyForm().validate_on_submit():
        rules.mark_all_read(db.session(), current_user)
        db.session().commit()
    return redirect(url_for("notifications.index"))
