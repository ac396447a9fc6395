from flask import Blueprint

bp = Blueprint("donations", __name__)
