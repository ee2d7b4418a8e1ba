-- Every row of the new orders files, read once, mapped by header names, typed and checked.
{{ bronze_checked_rows('orders') }}
