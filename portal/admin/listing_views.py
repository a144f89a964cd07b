"""The admin's listing editor under /admin: a listing's details (what visitors decide on) and
a school's response time (what the thank-you page promises). Every change is a POST with its
CSRF token; problems show beside their fields."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import login_required

from portal.admin.listing_forms import ProgramDetailsForm, ResponseHoursForm
from portal.admin.views import admin_area
from portal.services.destinations import SchoolNotFound, get_school
from portal.services.listings import (
    InvalidDetails,
    InvalidResponseHours,
    get_program,
    set_response_hours,
    update_details,
)
from portal.services.programs import ProgramNotFound

bp = Blueprint("admin_listings", __name__, url_prefix="/admin")
admin_area(bp)


@bp.route("/programs/<id:program_id>/details", methods=["GET", "POST"])
@login_required
def details(program_id: int):
    """Edit a listing's tuition, schedule, start dates, accreditation, financial aid and page."""
    try:
        program = get_program(program_id)
    except ProgramNotFound:
        abort(404)
    # A POST is read as sent (a field left out is empty), a GET shows what is stored.
    initial = None if request.method == "POST" else ProgramDetailsForm.initial(program)
    form = ProgramDetailsForm(data=initial)
    if form.validate_on_submit():
        try:
            update_details(program_id, form.to_details())
        except InvalidDetails as error:
            form.show_problems(error.problems)
        else:
            flash(f"Details of {program.title} saved.")
            return redirect(url_for("admin.programs"))
    status = 422 if form.errors else 200
    return render_template("admin/program_details.html", form=form, program=program), status


@bp.route("/schools/<id:school_id>/settings", methods=["GET", "POST"])
@login_required
def school_settings(school_id: int):
    """Edit how soon a school usually contacts a visitor who asked it."""
    try:
        school = get_school(school_id)
    except SchoolNotFound:
        abort(404)
    form = ResponseHoursForm(data={"response_hours": school.response_hours})
    if form.validate_on_submit():
        try:
            set_response_hours(school_id, form.response_hours.data)
        except InvalidResponseHours as error:
            form.response_hours.errors = [*form.response_hours.errors, str(error)]
        else:
            hours = form.response_hours.data
            flash(f"{school.name}: visitors are told to expect contact within {hours} hours.")
            return redirect(url_for("admin_delivery.school", school_id=school_id))
    status = 422 if form.errors else 200
    return render_template("admin/school_settings.html", form=form, school=school), status
