"""Contacts, their roles and places, the lists they subscribe to, consent and audiences."""
