from flask import Blueprint

bp = Blueprint("clues", __name__)
