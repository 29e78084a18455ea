"""Entry point for `flask --app app` and gunicorn (`gunicorn 'app:app'`)."""
from hti_comms import create_app

app = create_app()
