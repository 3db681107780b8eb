# Placeholder replaced by the CSV importer.
def import_crm(*, sources, dry_run=False):
    raise NotImplementedError
