"""Contact imports from CSV or XLSX files.

- `parse`: which column means what, and what one line's cells say (address, name, role and place, lists);
- `plan`: what each line would do against the database (create, update, merge, skip, or an error);
- `store`: write a plan in one transaction with bulk statements (the command line imports at once);
- `run`: a staged import from upload to decision: the stored preview, the queue the scheduler works through,
  cancelling;
- `admin`: the staff pages; `cli`: `hti import-contacts`.
"""
