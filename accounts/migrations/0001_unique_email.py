"""One account per email address (ignoring case; many accounts may have none): the sign-up form says so
to the learner, this index holds it under two sign-ups at once and for accounts made in the admin. On a
database that already holds two accounts with one address, this migration stops: give one another first."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("auth", "0012_alter_user_first_name_max_length")]

    operations = [
        migrations.RunSQL(
            "CREATE UNIQUE INDEX accounts_user_email_unique ON auth_user (LOWER(email)) WHERE email <> ''",
            "DROP INDEX accounts_user_email_unique",
        )
    ]
