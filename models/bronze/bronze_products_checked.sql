-- Every row of the new products files, read once, mapped by header names, typed and checked.
{{ bronze_checked_rows('products') }}
