"""Services shared by several blueprints (sign-in codes, SMS, keys, check-ins, colours, codes)."""
