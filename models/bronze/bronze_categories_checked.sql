-- Every row of the new categories files, read once, mapped by header names, typed and checked.
{{ bronze_checked_rows('categories') }}
