from flask import Blueprint

bp = Blueprint("dashboards", __name__)
