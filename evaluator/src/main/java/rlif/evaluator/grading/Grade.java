package rlif.evaluator.grading;

/** The outcome of grading one completion: the answer found (or null) and whether it is correct (null: no reference). */
public record Grade(String answer, Boolean correct) {}
