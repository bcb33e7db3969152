"""The server: the Streamlit app (``app.py``) and, beside it, the two routes of the login cookie
(``ui/web.py``) that keep a user logged in across a reload. ``make run`` starts it:

    streamlit run serve.py

(``streamlit run app.py`` also works, without the cookie: a reload then asks to log in again.)
"""

from pathlib import Path

import streamlit as st

from ui import web

app = st.App(Path(__file__).with_name("app.py"), routes=web.routes())
