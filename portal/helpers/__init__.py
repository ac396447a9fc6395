from flask import Blueprint

bp = Blueprint("helpers", __name__)
