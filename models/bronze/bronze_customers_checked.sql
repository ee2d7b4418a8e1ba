-- Every row of the new customers files, read once, mapped by header names, typed and checked.
{{ bronze_checked_rows('customers') }}
