-- Every row of the new brands files, read once, mapped by header names, typed and checked.
{{ bronze_checked_rows('brands') }}
