{#- dbt source freshness of a raw source (its loaded_at_query): the modification time of the
    newest file in the entity's folder, from the listing (no file is read). -#}
{% macro raw_files_loaded_at() %}
    select max(modified_at) from ({{ raw_file_listing(this.identifier) }}) as listing
{% endmacro %}
